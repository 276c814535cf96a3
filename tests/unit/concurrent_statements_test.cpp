// Which statements the lock guard's default lock_timeout leaves alone: those
// that wait without making others wait (src/engine/concurrent_statements.hpp).
#include "../../src/engine/concurrent_statements.hpp"

#include <catch2/catch.hpp>

#include "migration_tools/core/sql_splitter.hpp"

using migration_tools::split_sql;
using migration_tools::engine::waits_without_blocking;

namespace {

bool waits(const char* sql) { return waits_without_blocking(split_sql(sql).at(0)); }

}  // namespace

TEST_CASE("CONCURRENTLY index statements wait without blocking, the rest do not",
          "[unit][lock_guard]") {
  CHECK(waits("CREATE INDEX CONCURRENTLY i ON t (a)"));
  CHECK(waits("create unique index concurrently if not exists i on s.t (a)"));
  CHECK(waits("DROP INDEX CONCURRENTLY i"));
  CHECK(waits("REINDEX INDEX CONCURRENTLY i"));
  CHECK_FALSE(waits("CREATE INDEX i ON t (a)"));
  CHECK_FALSE(waits("DROP INDEX i"));
  CHECK_FALSE(waits("REINDEX INDEX i"));
  CHECK_FALSE(waits("DROP TABLE t"));
  CHECK_FALSE(waits("ALTER TABLE t ADD COLUMN c int"));
  CHECK_FALSE(waits("CREATE INDEX CONCURRENTLY"));  // refused by the grammar: the server says why
}
