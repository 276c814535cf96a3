// `<runner> lint` (issue 34) on tests/db/fixtures/lint: a table and its index
// made in one migration (exempt), an index on an existing table, a column
// drop silenced on its statement, a downgrade's DROP INDEX silenced for the
// file, and CONCURRENTLY inside a transactional migration (an error). Each
// output format, the exit codes, and the SARIF validated against the part of
// SARIF 2.1.0's schema that it writes. No database.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

#include "process.hpp"
#include "test_database.hpp"

using namespace migration_tools::test;

namespace {

const std::string dir = "tests/db/fixtures/lint/";

process_result lint(std::vector<std::string> args) {
  std::vector<std::string> all = {LINT_RUNNER, "--color", "never"};
  all.insert(all.end(), args.begin(), args.end());
  return run_process(all);
}

#define RUN_LINT(result, ...)      \
  auto result = lint(__VA_ARGS__); \
  INFO(#result " stdout:\n" << result.out << "\n" #result " stderr:\n" << result.err)

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("lint: the findings as compiler-style lines, an error exits 3", "[db][lint]") {
  RUN_LINT(r, {"lint"});
  CHECK(r.exit_code == 3);
  CHECK(r.out ==
        dir +
            "002_index_emails.sql:7:38: warning: index on accounts is created without "
            "CONCURRENTLY: blocks writes to the table until the index is built; instead: "
            "CREATE INDEX CONCURRENTLY, in a migration with '-- migrate:transactional false' "
            "[require-concurrent-index-creation]\n" +
            dir +
            "002_index_emails.sql:9:13: warning: ALTER TABLE accounts runs without a "
            "lock_timeout: with the lock timeout turned off (a 'lock_timeout 0' header, SET "
            "lock_timeout = 0, or RESET), an ACCESS EXCLUSIVE lock waits behind every running "
            "query and queues all new ones behind itself; instead: keep a lock timeout: the "
            "runner's default (3 s, retried by the lock guard) or a header such as '-- "
            "migrate:lock_timeout 5s' [require-lock-timeout]\n" +
            dir +
            "002_index_emails.sql:12:1: warning: index accounts_lower_email is dropped "
            "without CONCURRENTLY (downgrade): takes an ACCESS EXCLUSIVE lock on the "
            "table while the index goes; instead: DROP INDEX CONCURRENTLY, in a "
            "migration with '-- migrate:transactional false' "
            "[require-concurrent-index-deletion]\n" +
            dir +
            "003_concurrently.sql:7:48: error: CREATE INDEX CONCURRENTLY runs in the "
            "migration's transaction: PostgreSQL refuses CONCURRENTLY inside a "
            "transaction block, and each migration runs in one; instead: add '-- "
            "migrate:transactional false' to the header, with this statement in a "
            "migration of its own [ban-concurrent-index-creation-in-transaction]\n");
  CHECK(contains(r.err, "1 error and 3 warnings in 3 migrations"));
}

TEST_CASE("lint: files named, warnings alone, --strict and --warn-only", "[db][lint]") {
  RUN_LINT(clean, {"lint", dir + "001_accounts.sql"});
  CHECK(clean.exit_code == 0);
  CHECK(clean.out.empty());
  CHECK(contains(clean.err, "0 errors and 0 warnings in 1 migration"));
  RUN_LINT(warnings, {"lint", "002_index_emails.sql"});
  CHECK(warnings.exit_code == 0);
  CHECK(contains(warnings.err, "0 errors and 3 warnings in 1 migration"));
  RUN_LINT(strict, {"lint", "--strict", "002_index_emails.sql"});
  CHECK(strict.exit_code == 3);
  RUN_LINT(build, {"-q", "lint", "--warn-only"});
  CHECK(build.exit_code == 0);
  CHECK(build.err.empty());
  RUN_LINT(unknown, {"lint", "004_nope.sql"});
  CHECK(unknown.exit_code == 2);
  CHECK(contains(unknown.err, "no migration of mt_lint is '004_nope.sql'"));
}

TEST_CASE("lint: --format json and github", "[db][lint]") {
  RUN_LINT(j, {"--format", "json", "lint"});
  auto doc = nlohmann::json::parse(j.out);
  CHECK(doc.at("errors") == 1);
  CHECK(doc.at("warnings") == 3);
  CHECK(doc.at("files") == 3);
  const auto& first = doc.at("findings").at(0);
  CHECK(first.at("rule") == "require-concurrent-index-creation");
  CHECK(first.at("level") == "warning");
  CHECK(first.at("file") == dir + "002_index_emails.sql");
  CHECK(first.at("line") == 7);
  CHECK(first.at("column") == 38);
  CHECK(first.at("downgrade") == false);
  CHECK(doc.at("findings").at(2).at("downgrade") == true);
  RUN_LINT(g, {"--format", "github", "lint"});
  CHECK(contains(g.out, "::warning file=" + dir +
                            "002_index_emails.sql,line=7,col=38,title=require-concurrent-index-"
                            "creation::index on accounts is created without CONCURRENTLY: "));
  CHECK(contains(g.out, "::error file=" + dir + "003_concurrently.sql,line=7,col=48,title="));
}

TEST_CASE("lint: --format sarif is valid SARIF 2.1.0 for what it writes", "[db][lint]") {
  RUN_LINT(s, {"--format", "sarif", "lint"});
  CHECK(s.exit_code == 3);
  auto doc = nlohmann::json::parse(s.out);
  CHECK(doc.at("version") == "2.1.0");
  const auto& results = doc.at("runs").at(0).at("results");
  REQUIRE(results.size() == 4);
  CHECK(results.at(3).at("ruleId") == "ban-concurrent-index-creation-in-transaction");
  CHECK(results.at(3).at("level") == "error");
  const auto& region = results.at(0).at("locations").at(0).at("physicalLocation").at("region");
  CHECK(region.at("startLine") == 7);
  CHECK(region.at("startColumn") == 38);
  // Validated by Debian's python3-jsonschema (scripts/install-deps.sh).
  std::string file = "lint_sarif_" + std::to_string(::getpid()) + ".json";
  std::ofstream(file) << s.out;
  auto check = run_process({"/usr/bin/python3", "-c",
                            "import json, sys, jsonschema\n"
                            "schema = json.load(open(sys.argv[1]))\n"
                            "jsonschema.Draft7Validator.check_schema(schema)\n"
                            "jsonschema.validate(json.load(open(sys.argv[2])), schema,\n"
                            "                    format_checker=jsonschema.FormatChecker())\n"
                            "print('valid')\n",
                            SARIF_SUBSET_SCHEMA, file});
  std::remove(file.c_str());
  INFO(check.out << check.err);
  CHECK(check.exit_code == 0);
  CHECK(check.out == "valid\n");
}

TEST_CASE("lint: --rules lists every rule, and github or sarif are for lint only", "[db][lint]") {
  RUN_LINT(rules, {"lint", "--rules"});
  CHECK(rules.exit_code == 0);
  CHECK(contains(rules.out, "require-concurrent-index-creation (warning): blocks writes"));
  CHECK(contains(rules.out, "ban-alter-enum-add-value-and-use (error): "));
  RUN_LINT(wrong, {"--format", "sarif", "heads"});
  CHECK(wrong.exit_code == 2);
  CHECK(contains(wrong.err, "--format sarif is for lint's findings"));
}

TEST_CASE("lint --database: tables of revisions it has not applied are still empty", "[db][lint]") {
  auto url = fresh_database("lint_database");
  // Nothing applied: accounts (created by l1) is empty, its index and its
  // column drop in l2 lock nothing that matters.
  RUN_LINT(none, {"--url", url, "lint", "--database", "002_index_emails.sql"});
  CHECK(none.exit_code == 0);
  CHECK_FALSE(contains(none.out, "[require-concurrent-index-creation]"));
  CHECK_FALSE(contains(none.out, "[require-lock-timeout]"));
  CHECK(contains(none.out, "[require-concurrent-index-deletion]"));  // the downgrade's
  // Once l1 is applied there, accounts may hold rows: the findings are back.
  REQUIRE(lint({"--url", url, "upgrade", "l1"}).exit_code == 0);
  RUN_LINT(after, {"--url", url, "lint", "--database", "002_index_emails.sql"});
  CHECK(contains(after.out,
                 "002_index_emails.sql:7:38: warning: index on accounts is created "
                 "without CONCURRENTLY"));
  CHECK(contains(after.out, "[require-lock-timeout]"));
}
