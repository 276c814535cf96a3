// Errors from the database side (exit code 1).
#pragma once

#include <string>

#include "migration_tools/core/diagnostic.hpp"

namespace migration_tools {

class database_error : public error {
 public:
  using error::error;
};

// The version table holds what no runner writes (a NULL, a duplicate): the
// message says how to mend it. `check` reports it as a problem.
class version_table_damaged : public database_error {
 public:
  using database_error::database_error;
};

// A migration's statement failed; what() is `file:line: error: message (SQLSTATE x)`.
class migration_failed : public database_error {
 public:
  using database_error::database_error;
  migration_failed(const std::string& message, std::string sqlstate, int statement = 0)
      : database_error(message), sqlstate_(std::move(sqlstate)), statement_(statement) {}
  const std::string& sqlstate() const { return sqlstate_; }
  // The statement (1-based) of a `transactional false` migration that failed,
  // from which it can go on; 0 for a transactional one.
  int statement() const { return statement_; }
  // PostgreSQL gave up waiting for a lock (lock_timeout, SQLSTATE 55P03):
  // nothing of the transaction stays, and trying again may succeed.
  bool lock_timed_out() const { return sqlstate_ == "55P03"; }

 private:
  std::string sqlstate_;
  int statement_ = 0;
};

// The first line of a libpq error without its "ERROR:  " prefix, plus DETAIL
// and HINT lines, which say what to do.
std::string postgres_message(const std::string& what);

// Where in the query PostgreSQL placed the error, read from the "LINE n:"
// excerpt and caret libpq adds to the message (libpqxx 6 keeps no
// PG_DIAG_STATEMENT_POSITION). Line 1-based within the query; column 1-based,
// 0 when the excerpt does not give it exactly (libpq shortened the line with
// "...", or it holds tabs or non-ASCII characters, which libpq widens).
struct query_position {
  int line = 0;  // 0: the message has no position
  int column = 0;
};
query_position error_position(const std::string& what);

}  // namespace migration_tools
