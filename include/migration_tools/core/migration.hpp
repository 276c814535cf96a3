// One migration file, parsed: its header and, for SQL files, its two sections.
#pragma once

#include <map>
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
};

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
  // Header keys lock_timeout and statement_timeout, in milliseconds (0: none).
  // They win over the runner's --lock-timeout and --statement-timeout.
  std::optional<int> lock_timeout_ms;
  std::optional<int> statement_timeout_ms;

  // Line of each header key that was present, for diagnostics about its value.
  std::map<std::string, int, std::less<>> key_lines;

  sql_section upgrade;    // SQL files only
  sql_section downgrade;  // SQL files only; absent: the migration is irreversible

  int line_of(std::string_view key) const;
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

}  // namespace migration_tools
