// Issue 10, item 3: a transactional migration that ends the runner's
// transaction (COMMIT or ROLLBACK in its body) is a failure that records no
// version, named at the migration's file. The scanner refuses such bodies at
// configure time; this is the runner's own check, for what slips past it.
#include <catch2/catch.hpp>
#include <pqxx/pqxx>

#include "migration_tools/core/planner.hpp"
#include "migration_tools/postgres/bookkeeping.hpp"
#include "migration_tools/postgres/errors.hpp"
#include "migration_tools/postgres/step_executor.hpp"
#include "test_database.hpp"

using namespace migration_tools;

namespace {

migration parsed(const std::string& body) {
  std::vector<diagnostic> ds;
  auto m = parse_migration("tx.sql",
                           "-- migrate:revision tx_a\n-- migrate:down_revision none\n\n"
                           "-- migrate:upgrade\n" +
                               body,
                           ds);
  REQUIRE(ds.empty());
  return m;
}

}  // namespace

TEST_CASE(
    "a migration that commits or rolls back the runner's transaction fails and records no "
    "version",
    "[db][bookkeeping]") {
  for (const char* ending : {"COMMIT", "ROLLBACK"}) {
    INFO(ending);
    std::string url = test::fresh_database("mt_transaction_control");
    pqxx::connection conn(url);
    bookkeeping books(conn, bookkeeping_names{"public", "tx_version"});
    books.create();
    step_executor executor(conn, books);
    auto m = parsed(std::string("CREATE TABLE a ();\n") + ending + ";\nCREATE TABLE b ();\n");
    try {
      executor.run(m, direction::upgrade, {{}, "", "", {"tx_a"}}, "sum");
      FAIL("the step succeeded");
    } catch (const migration_failed& e) {
      std::string what = e.what();
      CHECK(what.find("tx.sql:1: error: revision 'tx_a' ended the runner's transaction") == 0);
    }
    CHECK(test::column(url, "SELECT count(*) FROM tx_version").at(0) == "0");
    CHECK(test::column(url, "SELECT string_agg(direction, ',') FROM tx_version_history").at(0) ==
          "failure");
  }
}
