// The core of where the database comes from (issue 12): .env files, the
// order of the sources, SQLAlchemy URLs, and misspellings.
#include "migration_tools/core/database_source.hpp"

#include <catch2/catch.hpp>
#include <map>

#include "migration_tools/core/diagnostic.hpp"
#include "migration_tools/core/dotenv.hpp"
#include "migration_tools/core/suggestion.hpp"

using namespace migration_tools;
using Catch::Matchers::Contains;

namespace {

environment_lookup lookup(std::map<std::string, std::string> values) {
  return [values](const std::string& name) {
    auto it = values.find(name);
    return it == values.end() ? std::string() : it->second;
  };
}

}  // namespace

TEST_CASE(".env: comments, export, quotes, escapes and ${} expansion", "[unit][config]") {
  auto file = parse_dotenv(
      "# settings\n"
      "\n"
      "export PLAIN = value with spaces   # a comment\n"
      "HASH=a#b\n"
      "SINGLE='lit ${PLAIN} \\n'\n"
      "DOUBLE=\"line\\none \\\"q\\\" \\${NOT}\"\n"
      "MULTI=\"two\n"
      "lines\"\n"
      "FROM_FILE=${PLAIN}!\n"
      "FROM_ENV=${HOME_DIR}/x\n"
      "FALLBACK=${MISSING:-dflt}\n"
      "EMPTY=\n",
      ".env", lookup({{"HOME_DIR", "/home/me"}}));
  auto value = [&](const char* name) {
    const auto* e = file.find(name);
    REQUIRE(e);
    return e->value;
  };
  CHECK(value("PLAIN") == "value with spaces");
  CHECK(value("HASH") == "a#b");
  CHECK(value("SINGLE") == "lit ${PLAIN} \\n");
  CHECK(value("DOUBLE") == "line\none \"q\" ${NOT}");
  CHECK(value("MULTI") == "two\nlines");
  CHECK(value("FROM_FILE") == "value with spaces!");
  CHECK(value("FROM_ENV") == "/home/me/x");
  CHECK(value("FALLBACK") == "dflt");
  CHECK(value("EMPTY").empty());
  CHECK(file.find("FALLBACK")->line == 11);
}

TEST_CASE(".env: nested defaults expand, and a NUL byte or a runaway value is an error at its line",
          "[unit][config][security]") {
  auto file = parse_dotenv(
      "NESTED=${A:-${B:-x}}\nINNER=${A:-${HOST}:${PORT:-5432}}/"
      "db\nDEEP=${A:-pre${B:-${C:-deep}}post}\n",
      ".env", lookup({{"HOST", "h"}}));
  CHECK(file.find("NESTED")->value == "x");
  CHECK(file.find("INNER")->value == "h:5432/db");
  CHECK(file.find("DEEP")->value == "predeeppost");

  std::string with_nul = std::string("OK=1\nBAD=a") + '\0' + "b\nQ=\"x" + '\0' + "\"\n";
  try {
    parse_dotenv(with_nul, ".env", lookup({}));
    FAIL("no error");
  } catch (const migration_file_error& e) {
    REQUIRE(e.diagnostics().size() == 2);
    CHECK(format_diagnostic(e.diagnostics()[0]) ==
          ".env:2: error: a NUL byte on the line: a .env file is text");
    CHECK(format_diagnostic(e.diagnostics()[1]) ==
          ".env:3: error: a NUL byte on the line: a .env file is text");
  }

  std::string doubling = "A=" + std::string(40000, 'a') + "\nB=${A}${A}\n";
  try {
    parse_dotenv(doubling, ".env", lookup({}));
    FAIL("no error");
  } catch (const migration_file_error& e) {
    REQUIRE(e.diagnostics().size() == 1);
    CHECK_THAT(format_diagnostic(e.diagnostics()[0]),
               Contains(".env:2: error: the value expands to more than 65536 bytes"));
  }
}

TEST_CASE(".env: every malformed line is reported with its line", "[unit][config]") {
  try {
    parse_dotenv("OK=1\nno equals\n=value\nQ=\"unclosed\n", "conf/.env", lookup({}));
    FAIL("no error");
  } catch (const migration_file_error& e) {
    REQUIRE(e.diagnostics().size() == 3);
    CHECK(format_diagnostic(e.diagnostics()[0]) == "conf/.env:2: error: expected '=' after 'no'");
    CHECK_THAT(format_diagnostic(e.diagnostics()[1]),
               Contains("conf/.env:3: error: expected NAME"));
    CHECK_THAT(format_diagnostic(e.diagnostics()[2]),
               Contains("conf/.env:4: error: unclosed double"));
  }
}

TEST_CASE(
    "database sources: the environment in order, then .env, then add_migrations, then "
    "the shell's PG* variables",
    "[unit][config]") {
  dotenv_file dotenv = parse_dotenv("DATABASE_URL=postgresql://file/db\n", ".env", lookup({}));
  database_source_inputs in;
  in.configured_url = "postgresql://configured/db";
  in.environment = lookup({{"POSTGRES_URL", "postgres://pg/url"}, {"PGHOST", "pghost"}});
  in.dotenv = &dotenv;
  auto s = find_database_source(in);
  REQUIRE(s);
  CHECK(s->origin == "POSTGRES_URL");
  CHECK(s->url == "postgres://pg/url");

  // Issue 32, defect 6: PGHOST and PGUSER set for psql in the shell do not
  // win over the project's own settings, each in turn.
  in.environment = lookup({{"PGHOST", "h"}, {"PGDATABASE", "d b"}, {"PGPASSWORD", "it's"}});
  s = find_database_source(in);
  REQUIRE(s);
  CHECK(s->origin == "DATABASE_URL in .env");
  dotenv_file pg_lines = parse_dotenv("PGHOST=file-host\nPGDATABASE=file-db\n", ".env", lookup({}));
  in.dotenv = &pg_lines;
  CHECK(find_database_source(in)->origin == "PGHOST, PGDATABASE in .env");
  in.dotenv = nullptr;
  CHECK(find_database_source(in)->origin == "add_migrations DATABASE_URL");
  in.configured_url.clear();
  s = find_database_source(in);
  REQUIRE(s);
  CHECK(s->origin == "PGHOST, PGDATABASE");
  CHECK(s->url == "host='h' dbname='d b' password='it\\'s'");
  in.configured_url = "postgresql://configured/db";
  in.dotenv = &dotenv;

  in.environment = lookup({{"POSTGRES_USER", "app"},
                           {"POSTGRES_PASSWORD", "p@ss:w/rd"},
                           {"POSTGRES_HOST", "db"},
                           {"POSTGRES_PORT", "5433"},
                           {"POSTGRES_DB", "shop"}});
  s = find_database_source(in);
  REQUIRE(s);
  CHECK(s->url == "postgresql://app:p%40ss%3Aw%2Frd@db:5433/shop");

  in.environment = lookup({{"PGPORT", "5433"}});  // names no database by itself
  s = find_database_source(in);
  REQUIRE(s);
  CHECK(s->origin == "DATABASE_URL in .env");

  in.dotenv = nullptr;
  CHECK(find_database_source(in)->origin == "add_migrations DATABASE_URL");
  in.configured_url.clear();
  CHECK_FALSE(find_database_source(in));
  in.url_option = "postgresql://option/db";
  CHECK(find_database_source(in)->origin == "--url");
}

TEST_CASE("database URLs: SQLAlchemy's driver is dropped, and an unencoded '@' is refused",
          "[unit][config]") {
  std::vector<std::string> notes;
  CHECK(normalise_database_url("postgresql+asyncpg://u@h/db", notes) == "postgresql://u@h/db");
  REQUIRE(notes.size() == 1);
  CHECK_THAT(notes[0], Contains("'asyncpg'"));
  CHECK(normalise_database_url("postgres://u:p%40ss@h/db?application_name=a@b", notes) ==
        "postgres://u:p%40ss@h/db?application_name=a@b");
  CHECK(normalise_database_url("host=x dbname=y", notes) == "host=x dbname=y");
  try {
    normalise_database_url("postgresql://postgres:s3c@ret@host/db", notes);
    FAIL("no error");
  } catch (const usage_error& e) {
    std::string what = e.what();
    CHECK_THAT(what, Contains("%40"));
    CHECK(what.find("s3c") == std::string::npos);
    CHECK(what.find("ret") == std::string::npos);
  }
}

TEST_CASE("yes/no environment values, and the nearest word", "[unit][config]") {
  for (const char* no : {"", "0", "false", "No", "OFF", " false "})
    CHECK_FALSE(environment_flag(no));
  for (const char* yes : {"1", "true", "yes", "github-actions"}) CHECK(environment_flag(yes));
  std::vector<std::string> words = {"upgrade", "downgrade", "history", "heads"};
  CHECK(nearest_word("upgarde", words) == "upgrade");
  CHECK(nearest_word("haeds", words) == "heads");  // a swap is one typo
  CHECK(nearest_word("revision", words).empty());
}

#include "migration_tools/postgres/errors.hpp"

TEST_CASE("the error position is read from libpq's LINE excerpt and caret", "[unit][config]") {
  auto p = error_position(
      "ERROR:  relation \"no_such_table\" does not exist\n"
      "LINE 3:     SELECT id FROM no_such_table;\n"
      "                           ^\n");
  CHECK(p.line == 3);
  CHECK(p.column == 20);
  // libpq shortened the line: the column is not exact, the line is.
  auto cut =
      error_position("ERROR:  syntax error\nLINE 12: ...aaaaaaaa bbbb\n                   ^\n");
  CHECK(cut.line == 12);
  CHECK(cut.column == 0);
  auto none = error_position("ERROR:  division by zero\n");
  CHECK(none.line == 0);
  CHECK(format_diagnostic({"m.sql", 10, severity::error, "x", 20}) == "m.sql:10:20: error: x");
  CHECK(format_diagnostic({"m.sql", 10, severity::error, "x"}) == "m.sql:10: error: x");
}
