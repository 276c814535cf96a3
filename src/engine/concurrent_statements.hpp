// Statements that wait without making others wait: CREATE INDEX
// CONCURRENTLY, DROP INDEX CONCURRENTLY and REINDEX CONCURRENTLY hold a lock
// that reads and writes pass (SHARE UPDATE EXCLUSIVE) while they wait for the
// transactions before them to end. The lock guard's default lock_timeout
// would only make them fail on a busy table, again and again, each try
// leaving an INVALID index; they run without it unless the migration or
// --lock-timeout asks for one.
#pragma once

#include "migration_tools/core/sql_splitter.hpp"

namespace migration_tools::engine {

bool waits_without_blocking(const sql_statement& statement);

}  // namespace migration_tools::engine
