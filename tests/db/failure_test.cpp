#include <catch2/catch.hpp>

#include "runners.hpp"
#include "test_database.hpp"

using namespace migration_tools::test;

TEST_CASE("a failing migration leaves no trace, exits 1 and names file, line and SQLSTATE",
          "[db]") {
  auto url = fresh_database("fail_statement");
  auto r = run_runner(FAILING_RUNNER, url, {"upgrade"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
  // The statement starts on line 9; PostgreSQL points at the table, line 10, column 20.
  CHECK(r.err.find("tests/db/fixtures/failing/002_fail_b.sql:10:20: error: relation "
                   "\"no_such_table\" does not exist (SQLSTATE 42P01)") != std::string::npos);
  // The first migration stays; nothing of the failing one does.
  CHECK(column(url, "SELECT version_num FROM mt_failing_version") ==
        std::vector<std::string>{"fail_a"});
  CHECK(table_exists(url, "kept"));
  CHECK_FALSE(table_exists(url, "half_done"));
  auto failures = column(url,
                         "SELECT revision || ' ' || error FROM mt_failing_version_history "
                         "WHERE direction = 'failure'");
  REQUIRE(failures.size() == 1);
  CHECK(failures[0].find("fail_b tests/db/fixtures/failing/002_fail_b.sql:10:20: error:") == 0);

  SECTION("check reports the database behind (exit 3)") {
    CHECK(run_runner(FAILING_RUNNER, url, {"check"}).exit_code == 3);
  }
}

TEST_CASE("an unknown target exits 2 and changes nothing", "[db]") {
  auto url = fresh_database("fail_unknown_target");
  auto r = linear(url, {"upgrade", "zzz"});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("no revision or branch label matches 'zzz'") != std::string::npos);
  CHECK_FALSE(table_exists(url, "mt_linear_version"));
}

TEST_CASE("a database at a revision the runner does not know is reported, not guessed", "[db]") {
  auto url = fresh_database("fail_unknown_row");
  REQUIRE(linear(url, {"upgrade", "rev_a"}).exit_code == 0);
  column(url, "UPDATE mt_linear_version SET version_num = 'from_the_future' RETURNING 1");
  auto r = linear(url, {"upgrade"});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("'from_the_future', which this runner does not contain") != std::string::npos);
  // Issue 32: what that means after switching to an older branch, and what to do.
  CHECK(r.err.find("the database is ahead of these sources") != std::string::npos);
  CHECK(r.err.find("Switch to the branch that has 'from_the_future'") != std::string::npos);
  CHECK(r.err.find("rebuild the runner") == std::string::npos);
}

TEST_CASE(
    "a syntax error on the semicolon that closes a migration's only statement is reported at "
    "that line and column, with no warning before it",
    "[db]") {
  // Issue 32, defects 1 and 2: it was reported at line 1 (the header), after
  // the server's "WARNING: there is no transaction in progress".
  auto url = fresh_database("fail_syntax_at_end");
  auto r = run_runner(SYNTAX_AT_END_RUNNER, url, {"upgrade"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("tests/db/fixtures/syntax_at_end/001_only_statement.sql:6:14: error: syntax "
                   "error at or near \";\" (SQLSTATE 42601)") != std::string::npos);
  CHECK(r.err.find("WARNING") == std::string::npos);
  CHECK(r.err.find("no transaction in progress") == std::string::npos);
  CHECK(column(url, "SELECT count(*) FROM mt_syntax_at_end_version") ==
        std::vector<std::string>{"0"});
}

TEST_CASE("a refused connection keeps libpq's advice line", "[db]") {
  // Issue 32, defect 3: only the first line of libpq's message was shown.
  auto r = run_runner(LINEAR_RUNNER, "postgresql://nobody@127.0.0.1:1/nothing", {"current"});
  INFO(r.err);
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("port 1 failed: Connection refused\n  Is the server running on that host and "
                   "accepting TCP/IP connections?") != std::string::npos);
}
