// The version table (one row per applied head) and the history table (one row
// per upgrade, downgrade, stamp or failure), on a connection. The SQL text
// comes from bookkeeping_sql.hpp, shared with the offline script writer.
#pragma once

#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "migration_tools/core/planner.hpp"
#include "migration_tools/postgres/bookkeeping_sql.hpp"

namespace migration_tools {

class bookkeeping {
 public:
  bookkeeping(pqxx::connection& connection, bookkeeping_names names);

  const bookkeeping_names& names() const { return names_; }
  // "schema"."table", quoted.
  const std::string& version_table() const { return version_; }
  const std::string& history_table() const { return history_; }

  bool exists();
  // Creates the schema and both tables if missing. Call with the lock held.
  void create();
  // Current version rows, sorted.
  std::vector<std::string> version_rows();
  std::vector<std::string> version_rows(pqxx::transaction_base& tx);

  // Applies row changes; every update and delete must touch exactly one row,
  // else someone else changed the table and the step is rolled back.
  void apply(pqxx::transaction_base& tx, const version_change& change);
  // Appends a history row; started_at is the transaction's start.
  void record(pqxx::transaction_base& tx, const history_entry& entry);

 private:
  pqxx::connection& connection_;
  bookkeeping_names names_;
  std::string version_, history_;
};

}  // namespace migration_tools
