#include "embedded_migrations.hpp"

#include <cstdlib>
#include <functional>

#include "migration_tools/core/checksum.hpp"
#include "migration_tools/core/meaning_checksum.hpp"
#include "migration_tools/core/text.hpp"

namespace migration_tools::engine {

namespace {

std::vector<std::string> list(const char* joined) {
  std::vector<std::string> out;
  std::string_view rest = joined;
  while (!rest.empty()) {
    auto space = rest.find(' ');
    out.emplace_back(rest.substr(0, space));
    if (space == std::string_view::npos) break;
    rest.remove_prefix(space + 1);
  }
  return out;
}

std::optional<int> milliseconds(int value) {
  return value < 0 ? std::nullopt : std::optional<int>(value);
}

sql_section section(std::string_view text, const embedded_section& s) {
  sql_section out;
  if (s.begin < 0) return out;
  out.present = true;
  out.first_line = s.first_line;
  out.source_begin = static_cast<size_t>(s.begin);
  out.source_end = static_cast<size_t>(s.end);
  std::string_view bytes = text.substr(out.source_begin, out.source_end - out.source_begin);
  // As the parser does: carriage returns go, other bytes stay.
  out.text = bytes.find('\r') == std::string_view::npos ? std::string(bytes)
                                                        : strip_carriage_returns(bytes);
  if (s.statements && s.statement_count >= 0) {
    out.known_statements = s.statements;
    out.known_statement_count = static_cast<size_t>(s.statement_count);
  }
  return out;
}

bool same_section(const sql_section& a, const sql_section& b) {
  // Not the known statements: a section read again from its file has none.
  return a.present == b.present && a.text == b.text && a.first_line == b.first_line &&
         a.source_begin == b.source_begin && a.source_end == b.source_end;
}

bool same_migration(const migration& a, const migration& b) {
  return a.path == b.path && a.kind == b.kind && a.revision == b.revision &&
         a.down_revisions == b.down_revisions && a.message == b.message && a.created == b.created &&
         a.branch_labels == b.branch_labels && a.depends_on == b.depends_on &&
         a.transactional == b.transactional && a.empty == b.empty &&
         a.lock_timeout_ms == b.lock_timeout_ms &&
         a.statement_timeout_ms == b.statement_timeout_ms && a.key_lines == b.key_lines &&
         same_section(a.upgrade, b.upgrade) && same_section(a.downgrade, b.downgrade);
}

}  // namespace

bool header_matches(const embedded_file& file) {
  return file.header && file.header->size == static_cast<long long>(file.text().size());
}

std::string embedded_checksum(const embedded_file& file) {
  return header_matches(file) ? std::string(file.header->checksum)
                              : migration_checksum(file.text());
}

std::string embedded_meaning(const embedded_file& file, const migration& m) {
  return header_matches(file) ? std::string(file.header->meaning) : migration_meaning_checksum(m);
}

static_assert(sizeof(embedded_header::key_lines) / sizeof(int) == header_keys.size(),
              "embedded_header::key_lines holds one line per header key");

migration migration_from_header(const embedded_file& file) {
  const embedded_header& h = *file.header;
  migration m;
  m.path = file.path;
  m.kind = kind_of_path(m.path);
  m.revision = h.revision;
  m.down_revisions = list(h.down_revisions);
  m.message = h.message;
  m.created = h.created;
  m.branch_labels = list(h.branch_labels);
  m.depends_on = list(h.depends_on);
  m.transactional = h.transactional;
  m.empty = h.empty;
  m.lock_timeout_ms = milliseconds(h.lock_timeout_ms);
  m.statement_timeout_ms = milliseconds(h.statement_timeout_ms);
  for (size_t i = 0; i < m.key_lines.size(); ++i) m.key_lines[i] = h.key_lines[i];
  m.upgrade = section(file.text(), h.upgrade);
  m.downgrade = section(file.text(), h.downgrade);
  return m;
}

namespace {

// The test suite sets this for every runner it starts: each header must give
// exactly what parsing its file gives.
void check_headers(const embedded_catalog& catalog, std::vector<diagnostic>& diagnostics,
                   const std::function<const migration&(size_t)>& made) {
  const char* check = std::getenv("MIGRATION_TOOLS_CHECK_EMBEDDED_HEADERS");
  if (!check || !*check) return;
  for (size_t i = 0; i < catalog.count; ++i) {
    std::vector<diagnostic> ignored;
    const embedded_file& f = catalog.files[i];
    auto parsed = parse_migration(f.path, f.text(), ignored);
    if (!same_migration(made(i), parsed) || embedded_checksum(f) != migration_checksum(f.text()) ||
        embedded_meaning(f, parsed) != migration_meaning_checksum(parsed))
      diagnostics.push_back({catalog.files[i].path, 1, severity::error,
                             "internal error: the header embedded at build time differs from "
                             "parsing the embedded file"});
  }
}

}  // namespace

std::vector<migration> embedded_migrations(const embedded_catalog& catalog,
                                           std::vector<diagnostic>& diagnostics) {
  std::vector<migration> out;
  out.reserve(catalog.count);
  for (size_t i = 0; i < catalog.count; ++i) {
    const embedded_file& f = catalog.files[i];
    if (header_matches(f))
      out.push_back(migration_from_header(f));
    else
      out.push_back(parse_migration(f.path, f.text(), diagnostics));
  }
  check_headers(catalog, diagnostics, [&](size_t i) -> const migration& { return out[i]; });
  return out;
}

embedded_migration_source::embedded_migration_source(const embedded_catalog& catalog,
                                                     std::vector<diagnostic>& diagnostics)
    : files_(catalog.files), count_(catalog.count), made_(catalog.count) {
  for (size_t i = 0; i < count_; ++i)
    if (!header_matches(files_[i]))
      made_[i] = std::make_unique<migration>(
          parse_migration(files_[i].path, files_[i].text(), diagnostics));
  check_headers(catalog, diagnostics, [&](size_t i) -> const migration& { return at(i); });
}

migration_links embedded_migration_source::links(size_t index) const {
  // A file whose header does not match was parsed at construction.
  if (made_[index]) return links_of(*made_[index]);
  const embedded_header& h = *files_[index].header;
  return {h.revision, id_list(h.down_revisions), id_list(h.branch_labels), id_list(h.depends_on)};
}

const migration& embedded_migration_source::at(size_t index) const {
  auto& made = made_[index];
  if (!made) made = std::make_unique<migration>(migration_from_header(files_[index]));
  return *made;
}

}  // namespace migration_tools::engine
