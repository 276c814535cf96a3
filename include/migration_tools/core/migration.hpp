// One migration file, parsed: its header and, for SQL files, its two sections.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "migration_tools/core/diagnostic.hpp"

namespace migration_tools {

enum class migration_kind { sql, cpp };

struct sql_section {
  bool present = false;
  std::string text;    // the lines after the marker, joined with '\n'
  int first_line = 0;  // file line of the first line of `text`
  // Where `text` comes from: a byte range of the file (carriage returns still
  // in), so that a runner can take a section from its embedded copy without
  // parsing the file again.
  std::size_t source_begin = 0, source_end = 0;
  // The statements of `text` as the build's scanner split them (offset,
  // length and line in `text`, three numbers each, in static storage), so
  // that a runner does not scan its embedded migrations again; null when
  // unknown (a file read at run time): section_statements() splits then.
  const long long* known_statements = nullptr;
  std::size_t known_statement_count = 0;
};

// The header keys, in a fixed order (migration::key_lines follows it).
constexpr std::array<std::string_view, 11> header_keys = {
    "revision",      "down_revision", "message",           "created", "branch_labels", "depends_on",
    "transactional", "lock_timeout",  "statement_timeout", "empty",   "lint_ignore"};
// The index of `key` in header_keys, or header_keys.size() for an unknown key.
std::size_t header_key_index(std::string_view key);

struct migration {
  std::string path;  // as shown in diagnostics
  migration_kind kind = migration_kind::sql;

  std::string revision;
  std::vector<std::string> down_revisions;  // empty: a base
  std::string message;
  std::string created;
  std::vector<std::string> branch_labels;
  std::vector<std::string> depends_on;
  bool transactional = true;
  // `-- migrate:empty true`: an upgrade section with no statement is meant;
  // without it the runner refuses to apply one (a template never filled in).
  bool empty = false;
  // Header keys lock_timeout and statement_timeout, in milliseconds (0: none).
  // They win over the runner's --lock-timeout and --statement-timeout.
  std::optional<int> lock_timeout_ms;
  std::optional<int> statement_timeout_ms;

  // Line of each header key (in header_keys order) for diagnostics about its
  // value; 0 where the key is absent.
  std::array<int, header_keys.size()> key_lines{};

  sql_section upgrade;    // SQL files only
  sql_section downgrade;  // SQL files only; absent: the migration is irreversible

  // The line of a header key, or 1 when it is absent.
  int line_of(std::string_view key) const;
  bool has_key(std::string_view key) const;
};

// Migration files are `*.sql` or `*.cpp`; anything else is not a migration.
bool is_migration_path(std::string_view path);
migration_kind kind_of_path(std::string_view path);

// Parses one file. Every problem found is appended to `diagnostics` (all of them, not
// just the first); the result is only meaningful when no error was added.
migration parse_migration(std::string_view path, std::string_view text,
                          std::vector<diagnostic>& diagnostics);

// A duration as PostgreSQL's lock_timeout and statement_timeout take it: an
// integer of milliseconds, or an integer with a unit ms, s, min, h or d
// ("500ms", "5s", "2min", "5 s"). Milliseconds up to INT_MAX, else nullopt.
std::optional<int> parse_postgres_duration(std::string_view text);

// The identifier grammar of revisions and branch labels: [A-Za-z0-9_]{1,64}.
bool is_valid_revision_id(std::string_view id);
// Words the revision grammar gives a meaning of their own; no revision may be one.
bool is_reserved_revision_word(std::string_view id);

}  // namespace migration_tools
