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
