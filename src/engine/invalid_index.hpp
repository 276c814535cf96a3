// A CREATE INDEX CONCURRENTLY that failed part-way (a lock timeout, a
// duplicate key, a killed runner) leaves its index behind, INVALID: unused
// by queries, yet kept up to date on every write, and in the way of the
// same statement run again ("relation already exists").
#pragma once

#include <functional>
#include <pqxx/pqxx>
#include <string>

#include "migration_tools/core/sql_splitter.hpp"

namespace migration_tools::engine {

// When `statement` is a CREATE INDEX CONCURRENTLY whose index exists and is
// INVALID, drops it CONCURRENTLY, telling `say` so: the statement can then
// build it again. Does nothing for any other statement, or a valid index.
void drop_invalid_index_of(pqxx::connection& conn, const sql_statement& statement,
                           const std::function<void(const std::string&)>& say);

}  // namespace migration_tools::engine
