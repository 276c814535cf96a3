// Migrating from the application itself (issue 12, item 5): the example
// examples/self_migrating, started twice at once, applies each migration
// once; on the application's own connection too.
#include <catch2/catch.hpp>
#include <chrono>
#include <pqxx/pqxx>
#include <thread>

#include "process.hpp"
#include "test_database.hpp"

using namespace migration_tools::test;
using Catch::Matchers::Contains;

TEST_CASE("two instances of a self-migrating application started at once apply each migration once",
          "[db][in_app]") {
  auto url = fresh_database("in_app_twice");
  start_gate gate;
  gate.open();
  auto first = start_process({SELF_MIGRATING_APP, url}, {}, &gate);
  auto second = start_process({SELF_MIGRATING_APP, url}, {}, &gate);
  gate.release();
  auto a = finish_process(first, 120);
  auto b = finish_process(second, 120);
  INFO(a.out << a.err << "\n---\n" << b.out << b.err);
  REQUIRE(a.exit_code == 0);
  REQUIRE(b.exit_code == 0);
  CHECK_THAT(a.out, Contains("serving"));
  CHECK_THAT(b.out, Contains("serving"));
  // One applied both, the other nothing (it waited for the lock, then found
  // the database at head).
  bool one_did_all = (a.out.find("applied 2 migration(s)") != std::string::npos &&
                      b.out.find("applied 0 migration(s)") != std::string::npos) ||
                     (b.out.find("applied 2 migration(s)") != std::string::npos &&
                      a.out.find("applied 0 migration(s)") != std::string::npos);
  CHECK(one_did_all);
  CHECK(column(url,
               "SELECT revision || ' ' || count(*) FROM app_db_version_history "
               "WHERE direction = 'upgrade' GROUP BY revision ORDER BY revision") ==
        std::vector<std::string>{"a1b2c3d4e5f6 1", "b2c3d4e5f6a7 1"});
  CHECK(column(url, "SELECT count(*) FROM notes") == std::vector<std::string>{"1"});
  // The report's log named each migration before it ran.
  CHECK_THAT(a.err + b.err, Contains("[migrations] upgrade <base> -> a1b2c3d4e5f6, create notes"));
  CHECK_THAT(a.err + b.err, Contains("[migrations] pending: b2c3d4e5f6a7 seed the welcome note"));
  CHECK_THAT(a.err + b.err, Contains("(the migrator's URL)"));
}

TEST_CASE("the migrator works on the application's own connection, and refuses an edited migration",
          "[db][in_app]") {
  auto url = fresh_database("in_app_own_connection");
  auto run = run_process({SELF_MIGRATING_APP, "--own-connection", url});
  INFO(run.out << run.err);
  REQUIRE(run.exit_code == 0);
  CHECK_THAT(run.out, Contains("applied 2 migration(s)") && Contains("b2c3d4e5f6a7 (seed the "
                                                                     "welcome note): "));
  auto again = run_process({SELF_MIGRATING_APP, "--own-connection", url});
  CHECK(again.exit_code == 0);
  CHECK_THAT(again.out, Contains("applied 0 migration(s)"));

  // The same checksum check as the runner: an applied migration that differs
  // from the one recorded stops the start-up.
  column(url,
         "UPDATE app_db_version_history SET checksum = 'abababababab' WHERE revision = "
         "'a1b2c3d4e5f6' AND direction = 'upgrade' RETURNING revision");
  column(url, "UPDATE app_db_version SET version_num = 'a1b2c3d4e5f6' RETURNING version_num");
  auto edited = run_process({SELF_MIGRATING_APP, url});
  INFO(edited.out << edited.err);
  CHECK(edited.exit_code == 1);
  CHECK_THAT(edited.err, Contains("the database could not be migrated") && Contains("edited"));
  CHECK(column(url, "SELECT version_num FROM app_db_version") ==
        std::vector<std::string>{"a1b2c3d4e5f6"});
}

TEST_CASE("the in-app migrator has the lock guard by default: a blocked migration is retried",
          "[db][in_app][lock_guard]") {
  auto url = fresh_database("in_app_lock_guard");
  REQUIRE(run_process({APP_DB_RUNNER, "--url", url, "upgrade", "a1b2c3d4e5f6"}).exit_code == 0);
  // A session holds the table for 4 s: the first try gives up after the
  // default 3 s, the second gets through once the session is gone.
  pqxx::connection holder_connection(url);
  pqxx::work hold(holder_connection);
  hold.exec0("LOCK TABLE notes IN ACCESS EXCLUSIVE MODE");
  auto app = start_process({SELF_MIGRATING_APP, url});
  std::this_thread::sleep_for(std::chrono::seconds(4));
  hold.commit();
  auto r = finish_process(app, 120);
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.out, Contains("applied 1 migration(s)"));
  CHECK_THAT(r.err, Contains("[migrations] revision 'b2c3d4e5f6a7' gave up waiting for a lock "
                             "(try 1 of 10): blocked by pid "));
  CHECK(column(url, "SELECT count(*) FROM notes") == std::vector<std::string>{"1"});
}

TEST_CASE(
    "the migrator upgrades a fleet of databases, each reported, a failing one not stopping "
    "the others",
    "[db][in_app]") {
  auto a = fresh_database("in_app_fleet_a");
  auto b = fresh_database("in_app_fleet_b");
  std::string missing = a;
  missing.replace(missing.find("/in_app_fleet_a?"), 16, "/in_app_fleet_missing?");
  auto run = run_process({SELF_MIGRATING_APP, "--fleet", a, missing, b});
  INFO(run.out << run.err);
  CHECK(run.exit_code == 1);
  CHECK_THAT(run.out, Contains("ok postgresql://postgres@/in_app_fleet_a") &&
                          Contains("ok postgresql://postgres@/in_app_fleet_b") &&
                          Contains("failed postgresql://postgres@/in_app_fleet_missing") &&
                          Contains("applied 2 migration(s)"));
  // The log lines say which database they are of.
  CHECK_THAT(run.err, Contains("[migrations] postgresql://postgres@/in_app_fleet_b"));
  for (const auto& url : {a, b})
    CHECK(column(url, "SELECT count(*) FROM app_db_version") == std::vector<std::string>{"1"});
  auto again = run_process({SELF_MIGRATING_APP, "--fleet", a, b});
  CHECK(again.exit_code == 0);
  CHECK_THAT(again.out, Contains("applied 0 migration(s)") && Contains("serving"));
}
