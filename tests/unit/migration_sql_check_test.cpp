// The configure-time checks that keep an offline script (run by psql) doing
// exactly what the online run does (issue 10, item 1) and keep a
// transactional migration from ending the runner's transaction (item 3).
#include "migration_tools/core/migration_sql_check.hpp"

#include <catch2/catch.hpp>

#include "migration_tools/core/migration.hpp"

using namespace migration_tools;

namespace {

const std::string header =
    "-- migrate:revision r1\n-- migrate:down_revision none\n-- migrate:message m\n\n";

std::vector<diagnostic> check(const std::string& text) {
  std::vector<diagnostic> ds;
  auto m = parse_migration("m.sql", text, ds);
  REQUIRE(ds.empty());
  check_migration_sql(m, text, ds);
  return ds;
}

std::vector<diagnostic> check_body(const std::string& upgrade, const std::string& downgrade = "",
                                   const std::string& extra_header = "") {
  return check(header + extra_header + "-- migrate:upgrade\n" + upgrade +
               (downgrade.empty() ? "" : "\n-- migrate:downgrade\n" + downgrade));
}

bool mentions(const diagnostic& d, const std::string& what) {
  return d.message.find(what) != std::string::npos;
}

}  // namespace

TEST_CASE("Ordinary SQL, strings and comments holding backslashes pass the checks",
          "[unit][sql_check]") {
  CHECK(check_body("CREATE TABLE t (a text);\n"
                   "-- a comment with \\! rm -rf and */ in it\n"
                   "INSERT INTO t VALUES ('\\! id'), (E'it\\'s'), ($$\\i /etc/hostname$$);\n"
                   "/* a \\o block */ SELECT '\\\\';\n"
                   "SAVEPOINT s; ROLLBACK TO SAVEPOINT s; RELEASE SAVEPOINT s;\n"
                   "COPY t TO STDOUT;\nCOPY t FROM '/srv/data.csv';\n",
                   "DROP TABLE t;\n")
            .empty());
  // CRLF line endings are not lone carriage returns.
  CHECK(check(header + "-- migrate:upgrade\r\nSELECT 1;\r\n-- c\r\n").empty());
}

TEST_CASE("A lone carriage return anywhere in the file is refused at its line",
          "[unit][sql_check]") {
  auto ds = check_body("CREATE TABLE t (a int);\n-- note\r\\! touch /tmp/x\nSELECT 1;\n");
  REQUIRE(!ds.empty());
  CHECK(ds[0].line == 7);
  CHECK(mentions(ds[0], "a carriage return not followed by a line feed"));
  // The CR trick that turns a comment into a statement offline only.
  ds = check_body("SELECT 1;\n-- later\rDELETE FROM t;\n");
  REQUIRE(!ds.empty());
  CHECK(ds[0].line == 7);
  // In the message of the header.
  std::string text =
      "-- migrate:revision r1\n-- migrate:down_revision none\n-- migrate:message a\r\\! id\n\n"
      "-- migrate:upgrade\nSELECT 1;\n";
  ds = check(text);
  REQUIRE(ds.size() == 1);
  CHECK(ds[0].line == 3);
}

TEST_CASE("A backslash outside strings and comments is a psql meta-command, refused at its line",
          "[unit][sql_check]") {
  auto ds = check_body("SELECT 1;\n\\! touch /tmp/x\n\\i /etc/hostname\nSELECT 2 \\g\n");
  REQUIRE(ds.size() == 3);
  CHECK(ds[0].line == 7);
  CHECK(ds[1].line == 8);
  CHECK(ds[2].line == 9);
  CHECK(mentions(ds[0], "psql would run it as a meta-command"));
  ds = check_body("SELECT 1;\n", "DROP TABLE t;\n  \\! id\n");
  REQUIRE(ds.size() == 1);
  CHECK(ds[0].line == 10);
}

TEST_CASE("A comment, string or dollar quote left open at the end of a section is refused",
          "[unit][sql_check]") {
  auto ds = check_body("SELECT 1;\n/* never closed\nSELECT 2;\n", "DROP TABLE t;\n");
  REQUIRE(ds.size() == 1);
  CHECK(ds[0].line == 7);
  CHECK(mentions(ds[0], "'/*' comment that is never closed"));
  ds = check_body("SELECT 'open;\n");
  REQUIRE(ds.size() == 1);
  CHECK(mentions(ds[0], "quoted string or identifier that is never closed"));
  ds = check_body("SELECT \"open;\n");
  REQUIRE(ds.size() == 1);
  ds = check_body("DO $x$ BEGIN END;\n");
  REQUIRE(ds.size() == 1);
  CHECK(mentions(ds[0], "dollar-quoted string that is never closed"));
}

TEST_CASE("COPY FROM STDIN is refused in every migration", "[unit][sql_check]") {
  auto ds = check_body("CREATE TABLE t (a int);\ncopy t from stdin;\n");
  REQUIRE(ds.size() == 1);
  CHECK(ds[0].line == 7);
  CHECK(mentions(ds[0], "COPY ... FROM STDIN in the upgrade section"));
  ds = check_body("COPY t (a) FROM STDIN WITH (FORMAT csv);\n", "",
                  "-- migrate:transactional false\n");
  REQUIRE(ds.size() == 1);
}

TEST_CASE("Transaction control in a transactional migration is refused, naming the line",
          "[unit][sql_check]") {
  auto ds = check_body("CREATE TABLE a ();\nCOMMIT;\nCREATE TABLE b ();\nSELECT 1/0;\n");
  REQUIRE(ds.size() == 1);
  CHECK(ds[0].line == 7);
  CHECK(mentions(ds[0], "COMMIT in the upgrade section of a transactional migration"));
  CHECK(mentions(ds[0], "-- migrate:transactional false"));
  for (const char* statement :
       {"ROLLBACK;", "end;", "abort;", "BEGIN;", "START TRANSACTION;", "PREPARE TRANSACTION 'x';",
        "COMMIT PREPARED 'x';", "ROLLBACK PREPARED 'x';", "commit and chain;"}) {
    INFO(statement);
    CHECK(check_body(std::string("SELECT 1;\n") + statement + "\n").size() == 1);
  }
  CHECK(check_body("SELECT 1;\nDEALLOCATE ALL;\n").size() == 1);
  // Not in a transactional-false migration: each statement commits anyway.
  CHECK(
      check_body("CREATE TABLE a ();\nCOMMIT;\n", "", "-- migrate:transactional false\n").empty());
  // A BEGIN ... END function body is not transaction control.
  CHECK(check_body("CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; END;\n")
            .empty());
}

TEST_CASE("Grammar words cannot be revision ids or branch labels", "[unit][parser]") {
  for (const char* word : {"base", "head", "heads", "none", "current"}) {
    std::vector<diagnostic> ds;
    parse_migration("m.sql",
                    std::string("-- migrate:revision ") + word +
                        "\n-- migrate:down_revision none\n\n-- migrate:upgrade\nSELECT 1;\n",
                    ds);
    INFO(word);
    REQUIRE(ds.size() == 1);
    CHECK(ds[0].line == 1);
    CHECK(ds[0].message.find("is a word of the revision grammar") != std::string::npos);
    ds.clear();
    parse_migration("m.sql",
                    std::string("-- migrate:revision r1\n-- migrate:down_revision none\n"
                                "-- migrate:branch_labels ") +
                        word + "\n\n-- migrate:upgrade\nSELECT 1;\n",
                    ds);
    REQUIRE(ds.size() == 1);
    CHECK(ds[0].line == 3);
  }
}

TEST_CASE("A syntax error is a configure-time error at its file, line and column",
          "[unit][sql_check]") {
  auto ds = check_body("CREATE TABLE t (a bigint);\nSELECT a\n  FROM t WHERE;\n");
  REQUIRE(ds.size() == 1);
  CHECK(format_diagnostic(ds[0]) ==
        "m.sql:8:15: error: syntax error at or near \";\" in the upgrade section (PostgreSQL "
        "15's grammar, as libpg_query reads it; '-- migrate:lint_ignore syntax-error' lets "
        "newer syntax through) [syntax-error]");
  // In the downgrade, past characters of several bytes: the column counts bytes.
  auto down = check_body("SELECT 1;", "SELECT 'é' FRM t;");
  REQUIRE(down.size() == 1);
  CHECK(format_diagnostic(down[0]).rfind("m.sql:8:17: error: syntax error at or near \"t\" in "
                                         "the downgrade section",
                                         0) == 0);
  // Let through on purpose (syntax of a newer server).
  CHECK(check_body("SELECT 1 FROM;", "", "-- migrate:lint_ignore syntax-error\n").empty());
  CHECK(check_body("CREATE TABLE t (a bigint);\nSELECT a FROM t;").empty());
}
