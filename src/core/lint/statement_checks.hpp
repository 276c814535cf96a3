// What the lint's statement checks share: the migration's state so far
// (tables created earlier in it, a lock_timeout set, enum values added) and
// where findings go. Private to src/core/lint.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

namespace migration_tools::lint_detail {

struct statement_context {
  bool transactional = true;             // the migration runs in one transaction
  bool lock_timeout = false;             // the header's lock_timeout, or a SET lock_timeout before
  bool statement_timeout = false;        // likewise statement_timeout
  std::set<std::string> created_tables;  // as written, with and without the schema
  // Tables earlier migrations created that no database in sight holds yet:
  // still empty, exempt as new ones are (lint_migration's `empty_tables`).
  std::set<std::string> empty_tables;
  // In a downgrade: what the same migration's upgrade created (tables) or
  // added (columns, "table.column"), which it may drop again.
  std::set<std::string> upgrade_tables;
  std::set<std::string> upgrade_columns;
  std::set<std::string> added_columns;  // "table.column", by this section
  std::vector<std::string> new_enum_values;
  // Existing tables the section locks ACCESS EXCLUSIVE (ALTER TABLE), as written.
  std::vector<std::string> exclusive_tables;
  // Reports rule `id` at `location` (a byte offset into the statement, 0:
  // its start) with what the statement does.
  std::function<void(const char* id, int location, const std::string& what)> report;
};

// Checks one statement (libpg_query's node, e.g. {"IndexStmt": {...}}) and
// updates the context.
void check_statement(const nlohmann::json& node, statement_context& context);

}  // namespace migration_tools::lint_detail
