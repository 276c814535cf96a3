// The lint's driver: each SQL section split into statements, each statement
// parsed by libpg_query and checked (statement_checks.cpp), findings placed
// at the file's line and column and filtered by the suppressions.
#include "migration_tools/core/lint.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include "migration_tools/core/section_statements.hpp"
#include "migration_tools/core/statement_tree.hpp"
#include "migration_tools/core/text.hpp"
#include "statement_checks.hpp"

namespace migration_tools {

namespace {

// The rule ids at the start of a comment's text: words of [a-z0-9-]
// separated by commas or spaces, up to anything else (a reason in
// parentheses, say).
std::vector<std::string> rule_list(std::string_view text) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < text.size()) {
    char ch = text[i];
    if (ch == ',' || ch == ' ' || ch == '\t') {
      ++i;
      continue;
    }
    size_t start = i;
    while (i < text.size() && (std::islower(static_cast<unsigned char>(text[i])) ||
                               std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '-'))
      ++i;
    if (i == start) break;
    out.emplace_back(text.substr(start, i - start));
  }
  return out;
}

// The lines of a text, 1-based (lines[0] is empty).
std::vector<std::string_view> lines_of(std::string_view text) {
  std::vector<std::string_view> out{std::string_view()};
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    out.push_back(line);
    start = end + 1;
  }
  return out;
}

// `-- <marker> a,b` on a line: the ids after the marker.
std::vector<std::string> ids_after(std::string_view line, std::string_view marker) {
  line = trim(line);
  if (!starts_with(line, "--")) return {};
  line = trim(line.substr(2));
  if (!starts_with(line, marker)) return {};
  return rule_list(line.substr(marker.size()));
}

// The identifiers of a statement's text longer than PostgreSQL keeps (63
// bytes): its scanner cuts them before the parse tree sees them, so the
// text is read, past strings, comments and dollar quotes. Offsets in `text`.
std::vector<std::pair<size_t, size_t>> overlong_identifiers(std::string_view text) {
  std::vector<std::pair<size_t, size_t>> out;
  auto ident_char = [](char ch) {
    return std::isalnum(static_cast<unsigned char>(ch)) || ch == '_' || ch == '$' ||
           static_cast<unsigned char>(ch) >= 0x80;
  };
  size_t i = 0;
  while (i < text.size()) {
    char ch = text[i];
    if (ch == '-' && i + 1 < text.size() && text[i + 1] == '-') {
      i = text.find('\n', i);
      if (i == std::string_view::npos) break;
    } else if (ch == '/' && i + 1 < text.size() && text[i + 1] == '*') {
      i = text.find("*/", i + 2);
      if (i == std::string_view::npos) break;
      i += 2;
    } else if (ch == '\'') {
      for (++i; i < text.size(); ++i)
        if (text[i] == '\'' && !(i + 1 < text.size() && text[i + 1] == '\'' && ++i)) break;
      ++i;
    } else if (ch == '$' && (i == 0 || !ident_char(text[i - 1]))) {
      size_t end = text.find('$', i + 1);
      if (end == std::string_view::npos) break;
      std::string_view tag = text.substr(i, end - i + 1);
      size_t close = text.find(tag, end + 1);
      if (close == std::string_view::npos) break;
      i = close + tag.size();
    } else if (ch == '"') {
      size_t start = i, length = 0;
      for (++i; i < text.size(); ++i, ++length)
        if (text[i] == '"' && !(i + 1 < text.size() && text[i + 1] == '"' && ++i)) break;
      if (length > 63) out.emplace_back(start, length);
      ++i;
    } else if (ident_char(ch) && !std::isdigit(static_cast<unsigned char>(ch))) {
      size_t start = i;
      while (i < text.size() && ident_char(text[i])) ++i;
      if (i - start > 63) out.emplace_back(start, i - start);
    } else {
      ++i;
    }
  }
  return out;
}

struct placed {
  int line;
  int column;
};

// The file position of byte `offset` of a section's text.
placed position_in(const sql_section& section, size_t offset) {
  std::string_view text = section.text;
  offset = std::min(offset, text.size());
  int line = section.first_line;
  size_t line_start = 0;
  for (size_t i = 0; i < offset; ++i)
    if (text[i] == '\n') ++line, line_start = i + 1;
  return {line, static_cast<int>(offset - line_start) + 1};
}

// Lints a section; returns its context (what it created), which the
// downgrade's is given.
lint_detail::statement_context lint_section(const migration& m, const sql_section& section,
                                            bool downgrade,
                                            const std::set<std::string>& file_ignored,
                                            const std::vector<std::string_view>& file_lines,
                                            std::vector<lint_finding>& out,
                                            const lint_detail::statement_context* upgrade,
                                            const std::set<std::string>* empty_tables) {
  lint_detail::statement_context context;
  if (empty_tables) context.empty_tables = *empty_tables;
  if (upgrade) {
    context.upgrade_tables = upgrade->created_tables;
    context.upgrade_columns = upgrade->added_columns;
  }
  context.transactional = m.transactional;
  // The runner gives every migration a lock_timeout (the lock guard's 3 s)
  // unless its header turns it off ("lock_timeout 0"); a statement_timeout
  // only when the header (or --statement-timeout) sets one.
  context.lock_timeout = !m.lock_timeout_ms || *m.lock_timeout_ms > 0;
  context.statement_timeout = m.statement_timeout_ms && *m.statement_timeout_ms > 0;
  for (const auto& statement : section_statements(section)) {
    auto start = position_in(section, statement.offset);
    // `-- lint:ignore ids` on the line before the statement.
    std::set<std::string> ignored = file_ignored;
    if (start.line > 1 && static_cast<size_t>(start.line - 1) < file_lines.size())
      for (auto& id : ids_after(file_lines[static_cast<size_t>(start.line - 1)], "lint:ignore"))
        ignored.insert(id);
    context.report = [&](const char* id, int location, const std::string& what) {
      if (ignored.count(id)) return;
      const lint_rule* rule = find_lint_rule(id);
      auto at = position_in(section, statement.offset + static_cast<size_t>(std::max(location, 0)));
      out.push_back({rule, m.path, at.line, at.column,
                     what + (downgrade ? " (downgrade)" : "") + ": " + rule->reason +
                         "; instead: " + rule->instead,
                     downgrade, start.line});
    };
    auto tree = parse_statement(statement.text);
    if (tree.is_null()) continue;  // the server says why; not the lint's to guess
    for (auto [offset, length] : overlong_identifiers(statement.text))
      context.report("identifier-too-long", static_cast<int>(offset),
                     "'" + std::string(statement.text.substr(offset, 20)) + "...' is " +
                         std::to_string(length) + " bytes long");
    lint_detail::check_statement(tree, context);
  }
  context.report = nullptr;
  return context;
}

}  // namespace

std::vector<lint_finding> lint_migration(const migration& m, std::string_view file_text,
                                         const std::set<std::string>* empty_tables,
                                         std::set<std::string>* created) {
  std::vector<lint_finding> out;
  if (m.kind != migration_kind::sql) return out;
  auto lines = lines_of(file_text);
  std::set<std::string> file_ignored;
  // The header's `-- migrate:lint_ignore ids`; an id that is no rule is
  // said, at its line.
  int header_line = m.has_key("lint_ignore") ? m.line_of("lint_ignore") : 0;
  for (auto& id : lint_ignored_rules(m, file_text)) {
    if (!find_lint_rule(id)) {
      const lint_rule* unknown = find_lint_rule("unknown-lint-rule");
      out.push_back(
          {unknown, m.path, header_line, 1,
           "'" + id + "' is no lint rule: " + unknown->reason + "; instead: " + unknown->instead,
           false});
    }
    file_ignored.insert(id);
  }
  lint_detail::statement_context upgrade;
  if (m.upgrade.present)
    upgrade = lint_section(m, m.upgrade, false, file_ignored, lines, out, nullptr, empty_tables);
  if (m.downgrade.present)
    lint_section(m, m.downgrade, true, file_ignored, lines, out, &upgrade, nullptr);
  if (created) created->insert(upgrade.created_tables.begin(), upgrade.created_tables.end());
  return out;
}

std::vector<std::string> exclusively_locked_tables(const migration& m, bool downgrade) {
  if (m.kind != migration_kind::sql) return {};
  const sql_section& section = downgrade ? m.downgrade : m.upgrade;
  if (!section.present) return {};
  lint_detail::statement_context context;
  context.transactional = m.transactional;
  context.report = [](const char*, int, const std::string&) {};
  for (const auto& statement : section_statements(section)) {
    // Asked before every step of a run: only these can be what this looks
    // for (CREATE: a table made here is no one's yet), and the rest (a 10 MB
    // INSERT) is not handed to the parser.
    bool may_lock = false;
    for (const char* word : {"alter", "drop", "truncate", "lock", "cluster", "vacuum", "create"})
      may_lock = may_lock || starts_with_keyword(statement.text, word);
    if (!may_lock) continue;
    auto tree = parse_statement(statement.text);
    if (!tree.is_null()) lint_detail::check_statement(tree, context);
  }
  return context.exclusive_tables;
}

std::vector<std::string> lint_ignored_rules(const migration& m, std::string_view file_text) {
  if (!m.has_key("lint_ignore")) return {};
  auto lines = lines_of(file_text);
  auto line = static_cast<size_t>(m.line_of("lint_ignore"));
  if (line >= lines.size()) return {};
  // The header's comment marker: `--` in SQL, `//` in C++.
  std::string_view text = trim(lines[line]);
  if (starts_with(text, "//"))
    text.remove_prefix(2), text = trim(text);
  else if (starts_with(text, "--"))
    text.remove_prefix(2), text = trim(text);
  if (!starts_with(text, "migrate:lint_ignore")) return {};
  return rule_list(text.substr(std::string_view("migrate:lint_ignore").size()));
}

std::string with_lint_suppressions(std::string_view path, std::string_view text,
                                   std::string_view why) {
  std::vector<diagnostic> ds;
  auto m = parse_migration(path, text, ds);
  if (has_errors(ds)) return std::string(text);
  std::map<int, std::vector<std::string>> ids;  // statement line -> rules
  for (const auto& f : lint_migration(m, text)) {
    if (f.rule->level != severity::warning || f.statement_line < 1) continue;
    auto& list = ids[f.statement_line];
    if (std::find(list.begin(), list.end(), f.rule->id) == list.end()) list.push_back(f.rule->id);
  }
  if (ids.empty()) return std::string(text);
  std::string out;
  int line = 1;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    end = end == std::string_view::npos ? text.size() : end + 1;
    if (auto it = ids.find(line); it != ids.end()) {
      std::string list;
      for (const auto& id : it->second) list += (list.empty() ? "" : ", ") + id;
      out += "-- lint:ignore " + list + " (" + std::string(why) + ")\n";
    }
    out.append(text.substr(start, end - start));
    start = end;
    ++line;
  }
  return out;
}

std::string format_lint_finding(const lint_finding& f) {
  const char* level = f.rule->level == severity::error ? "error" : "warning";
  return f.file + ":" + std::to_string(f.line) + ":" + std::to_string(f.column) + ": " + level +
         ": " + f.message + " [" + f.rule->id + "]";
}

}  // namespace migration_tools
