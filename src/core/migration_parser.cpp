// Header and section parser for migration files.
//
// A file starts with a comment block (`--` in SQL, `//` in C++). Lines of the
// form `-- migrate:KEY VALUE` in it are header keys; other comments are free
// text. In SQL files the markers `-- migrate:upgrade` and `-- migrate:downgrade`
// open the two sections.
#include <algorithm>
#include <array>

#include "migration_tools/core/migration.hpp"
#include "migration_tools/core/suggestion.hpp"
#include "migration_tools/core/text.hpp"

namespace migration_tools {

namespace {

constexpr std::string_view key_prefix = "migrate:";

bool is_known_key(std::string_view key) {
  return header_key_index(key) < header_keys.size();
}

// Date, optionally followed by a time with optional seconds, fraction and zone:
// 2026-11-22, 2026-11-22T10:00, 2026-11-22T10:00:00.5+01:00. Hand-written
// because std::regex costs microseconds per file, and the runner parses
// every migration at start-up.
bool is_iso8601(std::string_view v) {
  size_t i = 0;
  auto digits = [&](size_t n) {
    for (size_t k = 0; k < n; ++k, ++i)
      if (i >= v.size() || v[i] < '0' || v[i] > '9') return false;
    return true;
  };
  auto lit = [&](char c) { return i < v.size() && v[i] == c ? (++i, true) : false; };
  if (!(digits(4) && lit('-') && digits(2) && lit('-') && digits(2))) return false;
  if (i == v.size()) return true;
  if (!(lit('T') || lit(' '))) return false;
  if (!(digits(2) && lit(':') && digits(2))) return false;
  if (lit(':')) {
    if (!digits(2)) return false;
    if (lit('.')) {
      size_t start = i;
      while (i < v.size() && v[i] >= '0' && v[i] <= '9') ++i;
      if (i == start) return false;
    }
  }
  if (i == v.size()) return true;
  if (lit('Z')) return i == v.size();
  if (!(lit('+') || lit('-'))) return false;
  if (!digits(2)) return false;
  if (i == v.size()) return true;
  lit(':');
  return digits(2) && i == v.size();
}

// The offset of the first byte that is not part of well-formed UTF-8
// (no overlong forms, surrogates or code points above U+10FFFF), or npos.
size_t invalid_utf8_at(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    size_t n = 0;  // continuation bytes
    if (c < 0x80) {
      n = 0;
    } else if (c >= 0xC2 && c <= 0xDF) {
      n = 1;
    } else if (c >= 0xE0 && c <= 0xEF) {
      n = 2;
    } else if (c >= 0xF0 && c <= 0xF4) {
      n = 3;
    } else {
      return i;
    }
    if (s.size() - i <= n) return i;  // truncated sequence
    for (size_t k = 1; k <= n; ++k) {
      auto d = static_cast<unsigned char>(s[i + k]);
      if ((d & 0xC0) != 0x80) return i;
      if (k == 1 && ((c == 0xE0 && d < 0xA0) || (c == 0xED && d > 0x9F) ||
                     (c == 0xF0 && d < 0x90) || (c == 0xF4 && d > 0x8F)))
        return i;
    }
    i += n + 1;
  }
  return std::string_view::npos;
}

std::string hex_byte(char c) {
  const char* digits = "0123456789ABCDEF";
  auto b = static_cast<unsigned char>(c);
  return std::string("0x") + digits[b >> 4] + digits[b & 0xF];
}

class parser {
 public:
  parser(std::string_view path, std::string_view text, std::vector<diagnostic>& ds)
      : file_(text), text_(strip_bom(text)), ds_(ds) {
    m_.path = std::string(path);
    m_.kind = kind_of_path(path);
    comment_ = m_.kind == migration_kind::sql ? "--" : "//";
  }

  migration run() {
    // A NUL byte means a binary file: say so once instead of parsing it.
    if (auto nul = text_.find('\0'); nul != std::string_view::npos) {
      error(count_newlines(text_, nul) + 1,
            "the file contains a NUL byte: a migration must be a UTF-8 text file");
      return std::move(m_);
    }
    // An empty file (a touched placeholder, a failed save): one error that
    // says what a migration needs, instead of one per missing part.
    if (trim(strip_bom(text_)).empty()) {
      std::string comment(comment_);
      error(1, "the file is empty: a migration needs a header with '" + comment +
                   " migrate:revision' and '" + comment + " migrate:down_revision'" +
                   (m_.kind == migration_kind::sql ? " and a '-- migrate:upgrade' section" : "") +
                   " (the runner's `new` command, target <name>_new, writes one)");
      return std::move(m_);
    }
    line_reader lines(text_);
    std::string_view line;
    int number = 0;
    while (lines.next(line, number)) {
      last_line_ = number;
      if (state_ == state::header) {
        header_line(line, number);
        if (state_ == state::done) break;
      } else {
        section_line(line, number);
      }
    }
    finish_section();
    check_required();
    return std::move(m_);
  }

 private:
  enum class state { header, upgrade, downgrade, done };

  void error(int line, std::string message) {
    ds_.push_back({m_.path, line, severity::error, std::move(message)});
  }

  // `-- migrate:key value` -> key, value. False if the line is not a key line.
  bool split_key_line(std::string_view line, std::string_view& key, std::string_view& value) const {
    std::string_view t = trim(line);
    if (!starts_with(t, comment_)) return false;
    t = trim_left(t.substr(comment_.size()));
    if (!starts_with(t, key_prefix)) return false;
    t.remove_prefix(key_prefix.size());
    // `-- migrate: upgrade` means `-- migrate:upgrade`.
    t = trim_left(t);
    auto end = t.find_first_of(" \t");
    key = t.substr(0, end);
    value = end == std::string_view::npos ? std::string_view{} : trim(t.substr(end));
    return true;
  }

  void header_line(std::string_view line, int number) {
    std::string_view t = trim(line);
    if (t.empty()) return;
    // Header values end up in output, diagnostics and the database: text only.
    // (In a C++ file the first line that is not a comment is code.)
    auto bad = m_.kind == migration_kind::sql || starts_with(t, comment_) ? invalid_utf8_at(line)
                                                                          : std::string_view::npos;
    if (bad != std::string_view::npos) {
      error(number, "the header is not valid UTF-8 (byte " + hex_byte(line[bad]) + " at column " +
                        std::to_string(bad + 1) + "): save the file as UTF-8");
      if (!starts_with(t, comment_)) state_ = state::done;
      return;
    }
    std::string_view key, value;
    if (split_key_line(line, key, value)) {
      if (m_.kind == migration_kind::sql && (key == "upgrade" || key == "downgrade")) {
        open_section(key, value, number);
        return;
      }
      header_key(key, value, number);
      return;
    }
    if (starts_with(t, comment_)) return;  // free-text comment
    if (m_.kind == migration_kind::cpp) {
      state_ = state::done;  // the C++ code starts here
      return;
    }
    error(number, "SQL before the '-- migrate:upgrade' marker");
    sql_before_marker_ = true;
    state_ = state::done;
  }

  void open_section(std::string_view which, std::string_view trailing, int number) {
    if (!trailing.empty())
      error(number, "unexpected text after '" + std::string(comment_) +
                        " migrate:" + std::string(which) + "'");
    finish_section();
    if (which == "upgrade") {
      if (m_.upgrade.present) error(number, "second '-- migrate:upgrade' marker");
      if (m_.downgrade.present)
        error(number, "'-- migrate:upgrade' must come before '-- migrate:downgrade'");
      current_ = &m_.upgrade;
      state_ = state::upgrade;
    } else {
      if (!m_.upgrade.present)
        error(number, "'-- migrate:downgrade' before any '-- migrate:upgrade' marker");
      if (m_.downgrade.present) error(number, "second '-- migrate:downgrade' marker");
      current_ = &m_.downgrade;
      state_ = state::downgrade;
    }
    current_->present = true;
    current_->first_line = number + 1;
    section_begin_ = nullptr;
    section_end_ = nullptr;
  }

  void section_line(std::string_view line, int number) {
    std::string_view key, value;
    if (split_key_line(line, key, value)) {
      if (key == "upgrade" || key == "downgrade") {
        open_section(key, value, number);
        return;
      }
      if (is_known_key(key)) {
        error(number, "header key '" + std::string(key) +
                          "' after the header; move it above '-- migrate:upgrade'");
      } else {
        error(number, "unknown marker '-- migrate:" + std::string(key) +
                          "' (expected 'upgrade' or 'downgrade')");
      }
      return;
    }
    // Sections are kept as contiguous slices of the (BOM-stripped) text; CR is
    // dropped when the section is materialised.
    if (!section_begin_) section_begin_ = line.data();
    section_end_ = line.data() + line.size();
  }

  void finish_section() {
    if (current_ && section_begin_) {
      current_->source_begin = static_cast<size_t>(section_begin_ - file_.data());
      current_->source_end = static_cast<size_t>(section_end_ - file_.data());
      current_->text = strip_carriage_returns(
          std::string_view(section_begin_, static_cast<size_t>(section_end_ - section_begin_)));
    }
    section_begin_ = nullptr;
    section_end_ = nullptr;
  }

  void header_key(std::string_view key, std::string_view value, int number) {
    if (key.empty()) {
      error(number, "'-- migrate:' without a key (e.g. '-- migrate:revision <id>')");
      return;
    }
    if (!is_known_key(key)) {
      std::vector<std::string> known(header_keys.begin(), header_keys.end());
      known.insert(known.end(), {"upgrade", "downgrade"});
      std::string guess = nearest_word(key, known);
      error(number, "unknown header key '" + std::string(key) + "'" +
                        (guess.empty() ? "" : "; did you mean '" + guess + "'?") +
                        " (known keys: revision, down_revision, message, created, "
                        "branch_labels, depends_on, transactional, lock_timeout, "
                        "statement_timeout, empty, lint_ignore)");
      return;
    }
    if (m_.has_key(key)) {
      error(number, "header key '" + std::string(key) + "' given twice (first on line " +
                        std::to_string(m_.line_of(key)) + ")");
      return;
    }
    m_.key_lines[header_key_index(key)] = number;
    if (key == "revision") {
      if (!is_valid_revision_id(value))
        error(number, "malformed revision '" + std::string(value) +
                          "': expected 1 to 64 characters of [A-Za-z0-9_]");
      else if (is_reserved_revision_word(value))
        error(number, "revision '" + std::string(value) +
                          "' is a word of the revision grammar (base, head, heads, none, "
                          "current): 'show', 'upgrade' and 'downgrade' would read it as that "
                          "word; choose another id");
      m_.revision = std::string(value);
    } else if (key == "down_revision") {
      if (value.empty()) {
        error(number, "down_revision needs a value: a revision, several for a merge, or 'none'");
      } else if (value != "none") {
        m_.down_revisions = revision_list(value, "down_revision", number);
      }
    } else if (key == "message") {
      m_.message = std::string(value);
    } else if (key == "created") {
      if (!is_iso8601(value))
        error(number, "malformed created timestamp '" + std::string(value) +
                          "': expected ISO-8601, e.g. 2026-11-22T10:00:00Z");
      m_.created = std::string(value);
    } else if (key == "branch_labels") {
      m_.branch_labels = revision_list(value, "branch label", number);
      for (const auto& label : m_.branch_labels)
        if (is_reserved_revision_word(label))
          error(number, "branch label '" + label +
                            "' is a word of the revision grammar (base, head, heads, none, "
                            "current); choose another label");
    } else if (key == "depends_on") {
      m_.depends_on = revision_list(value, "depends_on", number);
    } else if (key == "transactional" || key == "empty") {
      bool& flag = key == "transactional" ? m_.transactional : m_.empty;
      if (value == "true") {
        flag = true;
      } else if (value == "false") {
        flag = false;
      } else {
        error(number, "malformed " + std::string(key) + " value '" + std::string(value) +
                          "': expected 'true' or 'false'");
      }
    } else if (key == "lock_timeout" || key == "statement_timeout") {
      auto ms = parse_postgres_duration(value);
      if (!ms)
        error(number, "malformed " + std::string(key) + " '" + std::string(value) +
                          "': expected a PostgreSQL duration such as 500ms, 5s or 2min, or an "
                          "integer of milliseconds");
      (key == "lock_timeout" ? m_.lock_timeout_ms : m_.statement_timeout_ms) = ms;
    }
  }

  std::vector<std::string> revision_list(std::string_view value, const char* what, int number) {
    std::vector<std::string> out;
    for (auto item : split_list(value)) {
      if (!is_valid_revision_id(item)) {
        error(number, std::string("malformed ") + what + " '" + std::string(item) +
                          "': expected 1 to 64 characters of [A-Za-z0-9_]");
        continue;
      }
      if (std::find(out.begin(), out.end(), item) != out.end()) {
        error(number, std::string(what) + " '" + std::string(item) + "' listed twice");
        continue;
      }
      out.emplace_back(item);
    }
    if (out.empty() && value.empty())
      error(number, std::string(what) + " needs at least one value");
    return out;
  }

  void check_required() {
    for (const char* key : {"revision", "down_revision"}) {
      if (!m_.has_key(key))
        error(1, std::string("missing required header key '") + std::string(comment_) +
                     " migrate:" + key + "'");
    }
    // Reported at the end of the header, where the marker belongs; not again
    // when SQL before the marker was already reported.
    if (m_.kind == migration_kind::sql && !m_.upgrade.present && !sql_before_marker_) {
      error(std::max(1, last_line_),
            "missing '-- migrate:upgrade' marker before the migration's SQL");
    }
  }

  std::string_view file_;  // as given, for the sections' byte offsets
  std::string_view text_;  // without a byte-order mark
  std::vector<diagnostic>& ds_;
  migration m_;
  std::string_view comment_;
  state state_ = state::header;
  int last_line_ = 0;
  bool sql_before_marker_ = false;
  sql_section* current_ = nullptr;
  const char* section_begin_ = nullptr;
  const char* section_end_ = nullptr;
};

}  // namespace

std::size_t header_key_index(std::string_view key) {
  return static_cast<size_t>(std::find(header_keys.begin(), header_keys.end(), key) -
                             header_keys.begin());
}

bool migration::has_key(std::string_view key) const {
  size_t i = header_key_index(key);
  return i < key_lines.size() && key_lines[i] > 0;
}

int migration::line_of(std::string_view key) const {
  size_t i = header_key_index(key);
  return i < key_lines.size() && key_lines[i] > 0 ? key_lines[i] : 1;
}

bool is_migration_path(std::string_view path) {
  return ends_with(path, ".sql") || ends_with(path, ".cpp");
}

migration_kind kind_of_path(std::string_view path) {
  return ends_with(path, ".cpp") ? migration_kind::cpp : migration_kind::sql;
}

std::optional<int> parse_postgres_duration(std::string_view text) {
  text = trim(text);
  size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
  if (digits == 0 || digits > 12) return std::nullopt;
  std::string_view unit = trim(text.substr(digits));
  long long factor = unit.empty() || unit == "ms" ? 1
                     : unit == "s"                ? 1000
                     : unit == "min"              ? 60 * 1000
                     : unit == "h"                ? 60 * 60 * 1000
                     : unit == "d"                ? 24 * 60 * 60 * 1000
                                                  : 0;
  if (factor == 0) return std::nullopt;
  long long value = 0;
  for (char c : text.substr(0, digits)) value = value * 10 + (c - '0');
  if (value > 2147483647LL / factor) return std::nullopt;
  return static_cast<int>(value * factor);
}

bool is_reserved_revision_word(std::string_view id) {
  return id == "base" || id == "head" || id == "heads" || id == "none" || id == "current";
}

bool is_valid_revision_id(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
}

migration parse_migration(std::string_view path, std::string_view text,
                          std::vector<diagnostic>& diagnostics) {
  return parser(path, text, diagnostics).run();
}

}  // namespace migration_tools
