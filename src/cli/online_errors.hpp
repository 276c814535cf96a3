// What the online runner says of libpqxx's own exceptions (a lost
// connection, the server's refusal), the same for one database and for each
// target of a fleet. Online only: the runner users run names no libpqxx symbol.
#pragma once

#include <pqxx/except>
#include <string>

#include "migration_tools/postgres/errors.hpp"

namespace migration_tools::cli {

inline std::string lost_connection_text(const pqxx::broken_connection& e) {
  return "lost the connection to the database: " + postgres_message(e.what());
}

// libpqxx leaves the SQLSTATE empty for some errors: nothing is said of it then.
inline std::string server_error_text(const pqxx::sql_error& e) {
  return postgres_message(e.what()) +
         (e.sqlstate().empty() ? "" : " (SQLSTATE " + e.sqlstate() + ")");
}

}  // namespace migration_tools::cli
