// Runs one migration step and its bookkeeping in a single transaction.
#pragma once

#include <pqxx/pqxx>
#include <string>

#include "migration_tools/core/migration.hpp"
#include "migration_tools/core/planner.hpp"
#include "migration_tools/postgres/bookkeeping.hpp"

namespace migration_tools {

class step_executor {
 public:
  step_executor(pqxx::connection& connection, bookkeeping& books)
      : connection_(connection), books_(books) {}

  // On failure nothing of the step remains, a `failure` history row is
  // written, and migration_failed says `file:line: error: ... (SQLSTATE x)`.
  void run(const migration& m, direction dir, const version_change& change,
           const std::string& checksum);

 private:
  void run_sql(pqxx::transaction_base& tx, const migration& m, const sql_section& section);
  void run_sql_outside_transaction(const migration& m, const sql_section& section);
  void run_cpp(pqxx::work& tx, const migration& m, direction dir);
  void record_failure(const migration& m, const std::string& checksum, const std::string& message);

  pqxx::connection& connection_;
  bookkeeping& books_;
};

// The file line of a statement that starts on `statement_line` of a section.
inline int file_line(const sql_section& section, int statement_line) {
  return section.first_line + statement_line - 1;
}

}  // namespace migration_tools
