// The migration header and section parser: fields, sections and their lines,
// line endings, and one `path:LINE: error: ...` diagnostic per problem.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "migration_tools/core/diagnostic.hpp"
#include "migration_tools/core/migration.hpp"

using namespace migration_tools;
using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;

namespace {

struct parsed {
  migration m;
  std::vector<diagnostic> diagnostics;
  std::vector<std::string> messages;  // formatted, `path:LINE: error: message`
};

parsed parse(const std::string& text, const std::string& path = "migrations/m.sql") {
  parsed p;
  p.m = parse_migration(path, text, p.diagnostics);
  for (const auto& d : p.diagnostics) p.messages.push_back(format_diagnostic(d));
  return p;
}

const char* const valid_sql =
    "-- migrate:revision 3f2a9c1b7d4e\n"                                  // 1
    "-- migrate:down_revision 9a8b7c6d5e4f\n"                             // 2
    "-- migrate:message add users table\n"                                // 3
    "-- migrate:created 2026-11-22T10:00:00Z\n"                           // 4
    "\n"                                                                  // 5
    "-- migrate:upgrade\n"                                                // 6
    "CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);\n"  // 7
    "CREATE INDEX users_email ON users (email);\n"                        // 8
    "\n"                                                                  // 9
    "-- migrate:downgrade\n"                                              // 10
    "DROP TABLE users;\n";                                                // 11

// Replaces every "\n" with "\r\n".
std::string crlf(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '\n') out += '\r';
    out += c;
  }
  return out;
}

// A header with the two required keys, then `rest`.
std::string with_header(const std::string& rest) {
  return "-- migrate:revision abc\n-- migrate:down_revision none\n" + rest;
}

}  // namespace

TEST_CASE("A complete SQL migration parses into its header fields", "[unit][parser]") {
  auto p = parse(valid_sql);
  REQUIRE(p.messages.empty());
  CHECK(p.m.path == "migrations/m.sql");
  CHECK(p.m.kind == migration_kind::sql);
  CHECK(p.m.revision == "3f2a9c1b7d4e");
  CHECK(p.m.down_revisions == std::vector<std::string>{"9a8b7c6d5e4f"});
  CHECK(p.m.message == "add users table");
  CHECK(p.m.created == "2026-11-22T10:00:00Z");
  CHECK(p.m.branch_labels.empty());
  CHECK(p.m.depends_on.empty());
  CHECK(p.m.transactional);
  CHECK(p.m.line_of("revision") == 1);
  CHECK(p.m.line_of("down_revision") == 2);
  CHECK(p.m.line_of("created") == 4);
}

TEST_CASE("The sections of a SQL migration keep their text and first line", "[unit][parser]") {
  auto p = parse(valid_sql);
  REQUIRE(p.messages.empty());
  REQUIRE(p.m.upgrade.present);
  CHECK(p.m.upgrade.first_line == 7);
  CHECK(p.m.upgrade.text ==
        "CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);\n"
        "CREATE INDEX users_email ON users (email);\n");
  REQUIRE(p.m.downgrade.present);
  CHECK(p.m.downgrade.first_line == 11);
  CHECK(p.m.downgrade.text == "DROP TABLE users;");
}

TEST_CASE("A section starting with blank lines keeps them so that lines stay right",
          "[unit][parser]") {
  auto p = parse(with_header("-- migrate:upgrade\n\n\nSELECT 1;\n"));
  REQUIRE(p.messages.empty());
  CHECK(p.m.upgrade.first_line == 4);
  CHECK(p.m.upgrade.text == "\n\nSELECT 1;");
}

TEST_CASE("An empty upgrade section is present with no text", "[unit][parser]") {
  auto p = parse(with_header("-- migrate:upgrade\n-- migrate:downgrade\nSELECT 1;\n"));
  REQUIRE(p.messages.empty());
  CHECK(p.m.upgrade.present);
  CHECK(p.m.upgrade.text.empty());
  CHECK(p.m.downgrade.present);
  CHECK(p.m.downgrade.first_line == 5);
  CHECK(p.m.downgrade.text == "SELECT 1;");
}

TEST_CASE("Ordinary comments inside a section are part of its SQL", "[unit][parser]") {
  auto p = parse(with_header("-- migrate:upgrade\n-- create the table\nSELECT 1; -- trailing\n"));
  REQUIRE(p.messages.empty());
  CHECK(p.m.upgrade.text == "-- create the table\nSELECT 1; -- trailing");
}

TEST_CASE("A migration without a downgrade section is irreversible", "[unit][parser]") {
  auto p = parse(with_header("-- migrate:upgrade\nSELECT 1;\n"));
  REQUIRE(p.messages.empty());
  CHECK(p.m.upgrade.present);
  CHECK_FALSE(p.m.downgrade.present);
  CHECK(p.m.downgrade.text.empty());
}

TEST_CASE("down_revision none makes a base", "[unit][parser]") {
  auto p = parse(with_header("-- migrate:upgrade\n"));
  REQUIRE(p.messages.empty());
  CHECK(p.m.down_revisions.empty());
}

TEST_CASE("Several down_revisions separated by commas and spaces make a merge", "[unit][parser]") {
  auto p = parse("-- migrate:revision m\n-- migrate:down_revision a, b  c,d\n-- migrate:upgrade\n");
  REQUIRE(p.messages.empty());
  CHECK(p.m.down_revisions == std::vector<std::string>{"a", "b", "c", "d"});
}

TEST_CASE("Branch labels, depends_on and transactional false are read", "[unit][parser]") {
  auto p =
      parse(with_header("-- migrate:branch_labels lib_a, lib_core\n"
                        "-- migrate:depends_on 9a8b7c6d5e4f lib_b\n"
                        "-- migrate:transactional false\n"
                        "-- migrate:upgrade\nCREATE INDEX CONCURRENTLY i ON t (c);\n"));
  REQUIRE(p.messages.empty());
  CHECK(p.m.branch_labels == std::vector<std::string>{"lib_a", "lib_core"});
  CHECK(p.m.depends_on == std::vector<std::string>{"9a8b7c6d5e4f", "lib_b"});
  CHECK_FALSE(p.m.transactional);
  CHECK(p.m.line_of("branch_labels") == 3);
  CHECK(p.m.line_of("depends_on") == 4);
  CHECK(p.m.line_of("transactional") == 5);
}

TEST_CASE("transactional true is accepted and is the default", "[unit][parser]") {
  CHECK(parse(with_header("-- migrate:upgrade\n")).m.transactional);
  auto p = parse(with_header("-- migrate:transactional true\n-- migrate:upgrade\n"));
  REQUIRE(p.messages.empty());
  CHECK(p.m.transactional);
}

TEST_CASE("Free-text comments and blank lines may sit between header keys", "[unit][parser]") {
  auto p = parse(
      "-- Adds the users table.\n"
      "\n"
      "-- migrate:revision abc\n"
      "--   migrate:down_revision none\n"
      "--migrate:message   spaced   out  \n"
      "-- some more prose\n"
      "-- migrate:upgrade\n"
      "SELECT 1;\n");
  REQUIRE(p.messages.empty());
  CHECK(p.m.revision == "abc");
  CHECK(p.m.line_of("revision") == 3);
  CHECK(p.m.line_of("down_revision") == 4);
  CHECK(p.m.message == "spaced   out");
  CHECK(p.m.upgrade.first_line == 8);
}

TEST_CASE("A file with CRLF line endings parses like its LF version", "[unit][parser]") {
  auto lf = parse(valid_sql);
  auto p = parse(crlf(valid_sql));
  REQUIRE(p.messages.empty());
  CHECK(p.m.revision == "3f2a9c1b7d4e");
  CHECK(p.m.down_revisions == std::vector<std::string>{"9a8b7c6d5e4f"});
  CHECK(p.m.message == "add users table");
  CHECK(p.m.created == "2026-11-22T10:00:00Z");
  CHECK(p.m.upgrade.text == lf.m.upgrade.text);
  CHECK(p.m.upgrade.first_line == 7);
  CHECK(p.m.downgrade.text == lf.m.downgrade.text);
  CHECK(p.m.downgrade.first_line == 11);
  CHECK(p.m.upgrade.text.find('\r') == std::string::npos);
}

TEST_CASE("A file starting with a UTF-8 byte order mark parses", "[unit][parser]") {
  auto p = parse("\xEF\xBB\xBF" + std::string(valid_sql));
  REQUIRE(p.messages.empty());
  CHECK(p.m.revision == "3f2a9c1b7d4e");
  CHECK(p.m.line_of("revision") == 1);
  CHECK(p.m.upgrade.first_line == 7);
}

TEST_CASE("A file with a byte order mark and CRLF line endings parses", "[unit][parser]") {
  auto p = parse("\xEF\xBB\xBF" + crlf(valid_sql));
  REQUIRE(p.messages.empty());
  CHECK(p.m.revision == "3f2a9c1b7d4e");
  CHECK(p.m.downgrade.text == "DROP TABLE users;");
  CHECK(p.m.downgrade.first_line == 11);
}

TEST_CASE("A C++ migration has a // header and no SQL sections", "[unit][parser]") {
  auto p = parse(
      "// migrate:revision cpp1\n"
      "// migrate:down_revision abc\n"
      "// migrate:message backfill\n"
      "#include <migration_tools/migration.hpp>\n"
      "MIGRATION_UPGRADE(tx) { tx.exec(\"SELECT 1\"); }\n",
      "migrations/backfill.cpp");
  REQUIRE(p.messages.empty());
  CHECK(p.m.kind == migration_kind::cpp);
  CHECK(p.m.revision == "cpp1");
  CHECK(p.m.down_revisions == std::vector<std::string>{"abc"});
  CHECK(p.m.message == "backfill");
  CHECK_FALSE(p.m.upgrade.present);
  CHECK_FALSE(p.m.downgrade.present);
}

TEST_CASE("A C++ migration needs its required header keys too", "[unit][parser]") {
  auto p = parse("// migrate:revision cpp1\n#include <x>\n", "migrations/x.cpp");
  REQUIRE(p.messages.size() == 1);
  CHECK_THAT(p.messages[0], StartsWith("migrations/x.cpp:1: error: missing required header key "
                                       "'// migrate:down_revision'"));
}

// Diagnostics --------------------------------------------------------------

TEST_CASE("An unknown header key is an error on its line", "[unit][parser]") {
  auto p = parse(with_header("-- migrate:author somebody\n-- migrate:upgrade\n"));
  REQUIRE(p.messages.size() == 1);
  CHECK_THAT(p.messages[0], StartsWith("migrations/m.sql:3: error: unknown header key 'author'"));
  CHECK_THAT(p.messages[0], Contains("known keys: revision, down_revision"));
}

TEST_CASE("A misspelt header key suggests the nearest known one", "[unit][parser]") {
  auto p = parse(with_header("-- migrate:transactinal false\n-- migrate:upgrade\n"));
  REQUIRE(p.messages.size() == 1);
  CHECK_THAT(p.messages[0], Contains("unknown header key 'transactinal'; did you mean "
                                     "'transactional'?"));
  auto far = parse(with_header("-- migrate:author x\n-- migrate:upgrade\n"));
  REQUIRE(far.messages.size() == 1);
  CHECK(far.messages[0].find("did you mean") == std::string::npos);
}

TEST_CASE("A space after 'migrate:' is accepted, and a marker without a key is an error",
          "[unit][parser]") {
  auto p = parse(with_header("-- migrate: message spaced\n-- migrate: upgrade\nSELECT 1;\n"));
  CHECK(p.messages.empty());
  CHECK(p.m.message == "spaced");
  CHECK(p.m.upgrade.present);
  CHECK(p.m.upgrade.text == "SELECT 1;");
  auto bare = parse(with_header("-- migrate:\n-- migrate:upgrade\n"));
  REQUIRE(bare.messages.size() == 1);
  CHECK_THAT(bare.messages[0], Contains(":3: error: '-- migrate:' without a key"));
}

TEST_CASE("empty true is read like transactional", "[unit][parser]") {
  CHECK_FALSE(parse(with_header("-- migrate:upgrade\n")).m.empty);
  CHECK(parse(with_header("-- migrate:empty true\n-- migrate:upgrade\n")).m.empty);
  auto bad = parse(with_header("-- migrate:empty yes\n-- migrate:upgrade\n"));
  REQUIRE(bad.messages.size() == 1);
  CHECK_THAT(bad.messages[0], Contains("malformed empty value 'yes'"));
}

TEST_CASE("A missing revision key is an error on line 1", "[unit][parser]") {
  auto p = parse("-- migrate:down_revision none\n-- migrate:upgrade\nSELECT 1;\n");
  REQUIRE(p.messages.size() == 1);
  CHECK(p.messages[0] ==
        "migrations/m.sql:1: error: missing required header key '-- migrate:revision'");
}

TEST_CASE("A missing down_revision key is an error on line 1", "[unit][parser]") {
  auto p = parse("-- migrate:revision abc\n-- migrate:upgrade\nSELECT 1;\n");
  REQUIRE(p.messages.size() == 1);
  CHECK(p.messages[0] ==
        "migrations/m.sql:1: error: missing required header key '-- migrate:down_revision'");
}

TEST_CASE("A down_revision without a value is an error on its line", "[unit][parser]") {
  auto p = parse("-- migrate:revision abc\n-- migrate:down_revision\n-- migrate:upgrade\n");
  REQUIRE(p.messages.size() == 1);
  CHECK_THAT(p.messages[0], StartsWith("migrations/m.sql:2: error: down_revision needs a value"));
}

TEST_CASE("A malformed revision id is an error on its line", "[unit][parser]") {
  std::string bad = GENERATE(std::string("abc-def"), std::string("a.b"), std::string("x y"),
                             std::string(65, 'a'), std::string("caf\xC3\xA9"));
  auto p = parse("\n-- migrate:revision " + bad +
                 "\n-- migrate:down_revision none\n"
                 "-- migrate:upgrade\n");
  INFO(bad);
  REQUIRE(p.messages.size() == 1);
  CHECK_THAT(p.messages[0], StartsWith("migrations/m.sql:2: error: malformed revision '" + bad +
                                       "': expected 1 to 64 characters of [A-Za-z0-9_]"));
}

TEST_CASE("An empty revision value is malformed", "[unit][parser]") {
  auto p = parse("-- migrate:revision\n-- migrate:down_revision none\n-- migrate:upgrade\n");
  REQUIRE(p.messages.size() == 1);
  CHECK_THAT(p.messages[0], StartsWith("migrations/m.sql:1: error: malformed revision ''"));
}

TEST_CASE("A 64-character revision id is the longest allowed", "[unit][parser]") {
  auto p = parse("-- migrate:revision " + std::string(64, 'F') +
                 "\n-- migrate:down_revision none\n-- migrate:upgrade\n");
  CHECK(p.messages.empty());
  CHECK(p.m.revision == std::string(64, 'F'));
}

TEST_CASE("A malformed down_revision or depends_on item is an error on its line",
          "[unit][parser]") {
  auto p = parse(
      "-- migrate:revision abc\n"
      "-- migrate:down_revision a, b-c\n"
      "-- migrate:depends_on x;y\n"
      "-- migrate:upgrade\n");
  REQUIRE(p.messages.size() == 2);
  CHECK_THAT(p.messages[0], StartsWith("migrations/m.sql:2: error: malformed down_revision 'b-c'"));
  CHECK_THAT(p.messages[1], StartsWith("migrations/m.sql:3: error: malformed depends_on 'x;y'"));
}

TEST_CASE("A revision listed twice in one key is an error", "[unit][parser]") {
  auto p = parse("-- migrate:revision abc\n-- migrate:down_revision a, a\n-- migrate:upgrade\n");
  REQUIRE(p.messages.size() == 1);
  CHECK(p.messages[0] == "migrations/m.sql:2: error: down_revision 'a' listed twice");
}

TEST_CASE("A duplicate header key is an error naming the first line", "[unit][parser]") {
  auto p =
      parse(with_header("-- migrate:message one\n-- migrate:message two\n"
                        "-- migrate:upgrade\n"));
  REQUIRE(p.messages.size() == 1);
  CHECK(p.messages[0] ==
        "migrations/m.sql:4: error: header key 'message' given twice (first on line 3)");
  CHECK(p.m.message == "one");
}

TEST_CASE("A malformed transactional value is an error on its line", "[unit][parser]") {
  std::string bad =
      GENERATE(std::string("yes"), std::string("TRUE"), std::string("0"), std::string(""));
  auto p = parse(with_header("-- migrate:message m\n-- migrate:transactional " + bad +
                             "\n-- migrate:upgrade\n"));
  INFO(bad);
  REQUIRE(p.messages.size() == 1);
  CHECK(p.messages[0] == "migrations/m.sql:4: error: malformed transactional value '" + bad +
                             "': expected 'true' or 'false'");
}

TEST_CASE("A malformed created timestamp is an error on its line", "[unit][parser]") {
  std::string bad =
      GENERATE(std::string("yesterday"), std::string("2026/11/22"), std::string("2026-11-22T10"),
               std::string("2026-11-22T10:00:00ZZ"), std::string("2026-11-22T10:00:00Z+01:00"),
               std::string("2026-11-22T10:00:00."), std::string("2026-11-22T10:00:00+1"),
               std::string("26-11-22"), std::string(""));
  auto p = parse(with_header("-- migrate:created " + bad + "\n-- migrate:upgrade\n"));
  INFO(bad);
  REQUIRE(p.messages.size() == 1);
  CHECK(p.messages[0] == "migrations/m.sql:3: error: malformed created timestamp '" + bad +
                             "': expected ISO-8601, e.g. 2026-11-22T10:00:00Z");
}

TEST_CASE("ISO-8601 created timestamps with and without time and zone are accepted",
          "[unit][parser]") {
  std::string good =
      GENERATE(std::string("2026-11-22"), std::string("2026-11-22T10:00"),
               std::string("2026-11-22T10:00:00Z"), std::string("2026-11-22T10:00Z"),
               std::string("2026-11-22 10:00:00"), std::string("2026-11-22T10:00:00.123456+01:00"),
               std::string("2026-11-22T10:00:00-0500"), std::string("2026-11-22T10:00:00+01"));
  auto p = parse(with_header("-- migrate:created " + good + "\n-- migrate:upgrade\n"));
  INFO(good);
  CHECK(p.messages.empty());
  CHECK(p.m.created == good);
}

TEST_CASE("SQL before the upgrade marker is an error on the line of the SQL", "[unit][parser]") {
  auto p = parse(with_header("\nCREATE TABLE t (id int);\n-- migrate:upgrade\nSELECT 1;\n"));
  REQUIRE_FALSE(p.messages.empty());
  CHECK(p.messages[0] == "migrations/m.sql:4: error: SQL before the '-- migrate:upgrade' marker");
  // The marker exists further down: the file is not also said to lack it.
  CHECK(p.messages.size() == 1);
}

TEST_CASE("A missing upgrade marker is an error that names a line", "[unit][parser]") {
  auto p = parse(with_header("-- migrate:message no sections\n"));
  REQUIRE(p.messages.size() == 1);
  CHECK(p.messages[0] ==
        "migrations/m.sql:3: error: missing '-- migrate:upgrade' marker before the "
        "migration's SQL");
  CHECK(p.diagnostics[0].line == 3);
}

TEST_CASE("A downgrade marker before the upgrade marker is an error on its line",
          "[unit][parser]") {
  auto p =
      parse(with_header("-- migrate:downgrade\nDROP TABLE t;\n-- migrate:upgrade\n"
                        "CREATE TABLE t (id int);\n"));
  REQUIRE(p.messages.size() == 2);
  CHECK(p.messages[0] ==
        "migrations/m.sql:3: error: '-- migrate:downgrade' before any "
        "'-- migrate:upgrade' marker");
  CHECK(p.messages[1] ==
        "migrations/m.sql:5: error: '-- migrate:upgrade' must come before "
        "'-- migrate:downgrade'");
}

TEST_CASE("A second upgrade or downgrade marker is an error", "[unit][parser]") {
  auto p =
      parse(with_header("-- migrate:upgrade\nSELECT 1;\n-- migrate:downgrade\n"
                        "SELECT 2;\n-- migrate:downgrade\nSELECT 3;\n"));
  REQUIRE(p.messages.size() == 1);
  CHECK(p.messages[0] == "migrations/m.sql:7: error: second '-- migrate:downgrade' marker");
}

TEST_CASE("Text after a section marker is an error", "[unit][parser]") {
  auto p = parse(with_header("-- migrate:upgrade now\nSELECT 1;\n"));
  REQUIRE(p.messages.size() == 1);
  CHECK(p.messages[0] == "migrations/m.sql:3: error: unexpected text after '-- migrate:upgrade'");
}

TEST_CASE("A header key inside a section is an error on its line", "[unit][parser]") {
  auto p = parse(with_header("-- migrate:upgrade\nSELECT 1;\n-- migrate:message late\n"));
  REQUIRE(p.messages.size() == 1);
  CHECK_THAT(p.messages[0],
             StartsWith("migrations/m.sql:5: error: header key 'message' after the header"));
}

TEST_CASE("An unknown marker inside a section is an error on its line", "[unit][parser]") {
  auto p = parse(with_header("-- migrate:upgrade\nSELECT 1;\n-- migrate:updgrade\n"));
  REQUIRE(p.messages.size() == 1);
  CHECK_THAT(p.messages[0],
             StartsWith("migrations/m.sql:5: error: unknown marker '-- migrate:updgrade'"));
}

TEST_CASE("An empty branch_labels value is an error", "[unit][parser]") {
  auto p = parse(with_header("-- migrate:branch_labels\n-- migrate:upgrade\n"));
  REQUIRE(p.messages.size() == 1);
  CHECK(p.messages[0] == "migrations/m.sql:3: error: branch label needs at least one value");
}

TEST_CASE("Every problem in a file is reported, not just the first", "[unit][parser]") {
  auto p = parse(
      "-- migrate:revision a.b\n"
      "-- migrate:down_revision none\n"
      "-- migrate:colour blue\n"
      "-- migrate:transactional maybe\n"
      "-- migrate:upgrade\n");
  REQUIRE(p.messages.size() == 3);
  CHECK_THAT(p.messages[0], StartsWith("migrations/m.sql:1: error: malformed revision"));
  CHECK_THAT(p.messages[1], StartsWith("migrations/m.sql:3: error: unknown header key"));
  CHECK_THAT(p.messages[2], StartsWith("migrations/m.sql:4: error: malformed transactional"));
}

TEST_CASE("Diagnostics in a CRLF file with a byte order mark have the right lines",
          "[unit][parser]") {
  auto p = parse("\xEF\xBB\xBF" + crlf(with_header("-- migrate:bogus x\n-- migrate:upgrade\n")));
  REQUIRE(p.messages.size() == 1);
  CHECK_THAT(p.messages[0], StartsWith("migrations/m.sql:3: error: unknown header key 'bogus'"));
}

// Identifier grammar and paths ------------------------------------------------

TEST_CASE("Revision ids are 1 to 64 characters of letters, digits and underscores",
          "[unit][parser]") {
  CHECK(is_valid_revision_id("a"));
  CHECK(is_valid_revision_id("3f2a9c1b7d4e"));
  CHECK(is_valid_revision_id("Lib_A_01"));
  CHECK(is_valid_revision_id(std::string(64, 'z')));
  CHECK_FALSE(is_valid_revision_id(""));
  CHECK_FALSE(is_valid_revision_id(std::string(65, 'z')));
  CHECK_FALSE(is_valid_revision_id("a-b"));
  CHECK_FALSE(is_valid_revision_id("a+1"));
  CHECK_FALSE(is_valid_revision_id("x@head"));
  CHECK_FALSE(is_valid_revision_id("a b"));
}

TEST_CASE("Only .sql and .cpp files are migrations", "[unit][parser]") {
  CHECK(is_migration_path("migrations/20261122_1000_abc_add_users.sql"));
  CHECK(is_migration_path("migrations/sub/backfill.cpp"));
  CHECK_FALSE(is_migration_path("migrations/README.md"));
  CHECK_FALSE(is_migration_path("migrations/x.sql.orig"));
  CHECK_FALSE(is_migration_path("migrations/helper.hpp"));
  CHECK(kind_of_path("a/b.cpp") == migration_kind::cpp);
  CHECK(kind_of_path("a/b.sql") == migration_kind::sql);
}

TEST_CASE("line_of gives the line of a header key, or 1 when it is absent", "[unit][parser]") {
  auto p = parse(with_header("\n-- migrate:message hi\n-- migrate:upgrade\n"));
  REQUIRE(p.messages.empty());
  CHECK(p.m.line_of("message") == 4);
  CHECK(p.m.line_of("depends_on") == 1);
}

TEST_CASE("lock_timeout and statement_timeout are read in milliseconds", "[unit][parser]") {
  auto p =
      parse(with_header("-- migrate:lock_timeout 5s\n-- migrate:statement_timeout 2min\n"
                        "-- migrate:upgrade\n"));
  REQUIRE(p.messages.empty());
  CHECK(p.m.lock_timeout_ms == 5000);
  CHECK(p.m.statement_timeout_ms == 120000);
  CHECK(p.m.line_of("lock_timeout") == 3);
  auto none = parse(with_header("-- migrate:upgrade\n"));
  CHECK_FALSE(none.m.lock_timeout_ms);
  CHECK_FALSE(none.m.statement_timeout_ms);
}

TEST_CASE("PostgreSQL durations: an integer of milliseconds or with a unit", "[unit][parser]") {
  CHECK(parse_postgres_duration("250") == 250);
  CHECK(parse_postgres_duration("0") == 0);
  CHECK(parse_postgres_duration("500ms") == 500);
  CHECK(parse_postgres_duration("5s") == 5000);
  CHECK(parse_postgres_duration("5 s") == 5000);
  CHECK(parse_postgres_duration("2min") == 120000);
  CHECK(parse_postgres_duration("1h") == 3600000);
  CHECK(parse_postgres_duration("1d") == 86400000);
  CHECK(parse_postgres_duration("2147483647") == 2147483647);
  for (const char* bad : {"", "s", "5m", "5 sec", "-1", "1.5s", "5S", "2147483648", "25d", "5s5"}) {
    INFO(bad);
    CHECK_FALSE(parse_postgres_duration(bad));
  }
}

TEST_CASE("A malformed lock_timeout or statement_timeout is an error on its line",
          "[unit][parser]") {
  std::string key = GENERATE(std::string("lock_timeout"), std::string("statement_timeout"));
  std::string bad = GENERATE(std::string("soon"), std::string("5m"), std::string(""));
  auto p = parse(with_header("-- migrate:message m\n-- migrate:" + key + " " + bad +
                             "\n-- migrate:upgrade\n"));
  INFO(key << " " << bad);
  REQUIRE(p.messages.size() == 1);
  CHECK(p.messages[0] == "migrations/m.sql:4: error: malformed " + key + " '" + bad +
                             "': expected a PostgreSQL duration such as 500ms, 5s or 2min, or an "
                             "integer of milliseconds");
}

TEST_CASE("An empty file is one error that says what a migration needs", "[unit][parser]") {
  for (std::string text : {"", "\n\n", "  \r\n\t\n", "\xEF\xBB\xBF"}) {
    auto p = parse(text);
    REQUIRE(p.messages.size() == 1);
    CHECK_THAT(p.messages[0], StartsWith("migrations/m.sql:1: error: the file is empty: a "
                                         "migration needs a header with '-- migrate:revision'"));
    CHECK_THAT(p.messages[0], Contains("'-- migrate:upgrade' section"));
  }
  auto cpp = parse("", "migrations/x.cpp");
  REQUIRE(cpp.messages.size() == 1);
  CHECK_THAT(cpp.messages[0], Contains("'// migrate:down_revision'"));
}
