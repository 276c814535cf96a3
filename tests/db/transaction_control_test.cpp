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

migration parsed(const std::string& body, const std::string& file = "tx.sql",
                 const std::string& revision = "tx_a", const std::string& down = "none") {
  std::vector<diagnostic> ds;
  auto m = parse_migration(file,
                           "-- migrate:revision " + revision + "\n-- migrate:down_revision " +
                               down + "\n\n-- migrate:upgrade\n" + body,
                           ds);
  REQUIRE(ds.empty());
  return m;
}

}  // namespace

TEST_CASE(
    "a migration that commits or rolls back the runner's transaction fails and records no "
    "version",
    "[db][bookkeeping]") {
  // The bookkeeping goes in one message with the last statement: the body's
  // end may be first, last, or the only statement, in that message or before.
  for (std::string body :
       {"CREATE TABLE a ();\nCOMMIT;\nCREATE TABLE b ();\n",
        "CREATE TABLE a ();\nROLLBACK;\nCREATE TABLE b ();\n", "CREATE TABLE a ();\nCOMMIT;\n",
        "COMMIT;\n", "END;\n", "CREATE TABLE a ();\nROLLBACK;\n"}) {
    INFO(body);
    std::string url = test::fresh_database("mt_transaction_control");
    pqxx::connection conn(url);
    bookkeeping books(conn, bookkeeping_names{"public", "tx_version"});
    books.create();
    step_executor executor(conn, books);
    auto m = parsed(body);
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

// The bookkeeping runs in one message with the migration's last statement;
// what that statement does to the bookkeeping tables still fails the step
// and keeps nothing of it.
TEST_CASE("a migration whose last statement breaks the bookkeeping keeps nothing",
          "[db][bookkeeping]") {
  struct broken {
    std::string body;
    std::string says;
  };
  for (const broken& b :
       {broken{"CREATE TABLE b ();\nDELETE FROM tx_version;\n", "changed under this run"},
        broken{"CREATE TABLE b ();\nDROP TABLE tx_version_history;\n", "tx_version_history"},
        broken{"CREATE TABLE b ();\nDEALLOCATE ALL;\n", "deallocated the runner's prepared"}}) {
    INFO(b.body);
    std::string url = test::fresh_database("mt_transaction_bookkeeping");
    pqxx::connection conn(url);
    bookkeeping books(conn, bookkeeping_names{"public", "tx_version"});
    books.create();
    step_executor executor(conn, books);
    executor.run(parsed("CREATE TABLE a ();\n"), direction::upgrade, {{}, "", "", {"tx_a"}}, "sum");
    try {
      executor.run(parsed(b.body, "b.sql", "tx_b", "tx_a"), direction::upgrade,
                   {{}, "tx_a", "tx_b", {}}, "sum");
      FAIL("the step succeeded");
    } catch (const std::exception& e) {
      std::string what = e.what();
      CHECK(what.find(b.says) != std::string::npos);
    }
    CHECK(test::column(url, "SELECT version_num FROM tx_version") ==
          std::vector<std::string>{"tx_a"});
    CHECK(test::column(url, "SELECT count(*) FROM pg_class WHERE relname = 'b'").at(0) == "0");
    CHECK(test::column(url,
                       "SELECT count(*) FROM tx_version_history WHERE revision = 'tx_b'"
                       " AND direction = 'upgrade'")
              .at(0) == "0");
  }
}

// The COMMIT goes in one message with the bookkeeping: a constraint checked
// at COMMIT fails the step at the revision's line, and nothing of it stays.
TEST_CASE("a migration whose COMMIT fails keeps nothing and names its revision",
          "[db][bookkeeping]") {
  std::string url = test::fresh_database("mt_transaction_deferred");
  pqxx::connection conn(url);
  bookkeeping books(conn, bookkeeping_names{"public", "tx_version"});
  books.create();
  step_executor executor(conn, books);
  auto m = parsed(
      "CREATE TABLE p (id int PRIMARY KEY);\n"
      "CREATE TABLE c (p int REFERENCES p DEFERRABLE INITIALLY DEFERRED);\n"
      "INSERT INTO c VALUES (1);\n");
  try {
    executor.run(m, direction::upgrade, {{}, "", "", {"tx_a"}}, "sum");
    FAIL("the step succeeded");
  } catch (const migration_failed& e) {
    std::string what = e.what();
    CHECK(what.find("tx.sql:1: error: ") == 0);
    CHECK(what.find("violates foreign key constraint") != std::string::npos);
    CHECK(what.find("SQLSTATE 23503") != std::string::npos);
  }
  CHECK(test::column(url, "SELECT count(*) FROM tx_version").at(0) == "0");
  CHECK_FALSE(test::table_exists(url, "p"));
  CHECK(test::column(url, "SELECT string_agg(direction, ',') FROM tx_version_history").at(0) ==
        "failure");
  // The session is usable for the next step.
  executor.run(parsed("CREATE TABLE ok ();\n"), direction::upgrade, {{}, "", "", {"tx_a"}}, "sum");
  CHECK(test::column(url, "SELECT version_num FROM tx_version") ==
        std::vector<std::string>{"tx_a"});
}
