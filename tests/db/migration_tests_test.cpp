// `<runner> test` (issue 33) on fixture projects that break each test: two
// heads, a downgrade that leaves a column behind, a downgrade that fails
// (drops as a constraint the index its upgrade created), an irreversible
// migration, a head that differs from schema/, a stale generated/schema.sql,
// and data checks that fail on the upgrade and only on the downgrade. The
// scratch server is the test cluster (--dev-url); each test makes and drops
// databases of its own there.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "process.hpp"
#include "test_database.hpp"

using namespace migration_tools::test;

namespace {

const std::string fixtures = MIGRATION_TESTS_FIXTURES;
const std::string shown_fixtures = "tests/db/fixtures/migration_tests";

process_result run_test_on(const std::string& server, const char* runner,
                           std::vector<std::string> args) {
  std::vector<std::string> all = {runner, "--color", "never", "--dev-url", server, "test"};
  all.insert(all.end(), args.begin(), args.end());
  return run_process(all);
}

process_result run_test(const char* runner, std::vector<std::string> args) {
  return run_test_on(cluster_admin_url(), runner, std::move(args));
}

// The scratch server as a role that may create databases but is no
// superuser: no event triggers, so the stairway compares whole catalogs.
std::string plain_role_server() {
  column(cluster_admin_url(),
         "DO $$ BEGIN CREATE ROLE mt_tests_plain LOGIN CREATEDB; "
         "EXCEPTION WHEN duplicate_object THEN NULL; END $$; SELECT 1");
  std::string url = cluster_admin_url();
  auto user = url.find("user=");
  return url.substr(0, user) + "user=mt_tests_plain";
}

// Runs `test ARGS...` into `result`, and shows its output with any failure.
#define RUN_TEST(result, ...)          \
  auto result = run_test(__VA_ARGS__); \
  INFO(#result " stdout:\n" << result.out << "\n" #result " stderr:\n" << result.err)

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("migration tests: a sound project passes every test, data included",
          "[db][migration_tests]") {
  RUN_TEST(r, TESTS_NAMES_RUNNER, {"--data", fixtures + "/data_good"});
  CHECK(r.exit_code == 0);
  CHECK(contains(r.out, "mt_tests_names test single_head: passed (head p3)"));
  CHECK(contains(r.out, "mt_tests_names test upgrade: passed (3 of 3 revisions, 3 steps"));
  CHECK(contains(r.out,
                 "mt_tests_names test stairway: passed (3 of 3 revisions round-tripped, 6 steps"));
  CHECK(contains(r.out, "mt_tests_names test data: passed (3 of 3 revisions, 6 steps"));
  CHECK(contains(r.out, "mt_tests_names test schema_matches: passed"));
  CHECK(contains(r.out, "mt_tests_names test dump_current: passed"));
  CHECK(contains(r.out, "6 passed, 0 failed, 0 skipped"));
  // Whoever reads a failure can run the same by hand.
  CHECK(contains(r.err, "to run it by hand: "));
}

TEST_CASE("migration tests: --format json gives every test's outcome and figures",
          "[db][migration_tests]") {
  RUN_TEST(r, TESTS_BROKEN_RUNNER, {"--format", "json"});
  auto doc = nlohmann::json::parse(r.out);
  CHECK(r.exit_code == 3);
  CHECK(doc.at("passed") == 2);
  CHECK(doc.at("failed") == 3);
  CHECK(doc.at("skipped") == 0);
  std::vector<std::string> names, outcomes;
  for (const auto& t : doc.at("tests")) {
    names.push_back(t.at("name"));
    outcomes.push_back(t.at("outcome"));
  }
  CHECK(names == std::vector<std::string>{"single_head", "upgrade", "stairway", "schema_matches",
                                          "dump_current"});
  CHECK(outcomes == std::vector<std::string>{"passed", "passed", "failed", "failed", "failed"});
  const auto& stairway = doc.at("tests").at(2);
  CHECK(stairway.at("covered") == 2);
  CHECK(stairway.at("total") == 3);
}

TEST_CASE("migration tests: two heads fail single_head and name the merge",
          "[db][migration_tests]") {
  RUN_TEST(r, TESTS_TWO_HEADS_RUNNER, {"single_head"});
  CHECK(r.exit_code == 3);
  CHECK(contains(r.out, "mt_tests_two_heads test single_head: FAILED"));
  CHECK(contains(r.out, "divergent heads:\n"));
  CHECK(contains(r.out, shown_fixtures + "/two_heads/002_left.sql:1: error: head 'h2' (left)"));
  CHECK(contains(r.out, shown_fixtures + "/two_heads/003_right.sql:1: error: head 'h3' (right)"));
  CHECK(contains(r.out, "merge them with: mt_tests_two_heads merge heads -m \"merge heads\""));
}

TEST_CASE("migration tests: a downgrade that leaves a column behind fails the stairway there",
          "[db][migration_tests]") {
  RUN_TEST(r, TESTS_BROKEN_RUNNER, {"stairway"});
  CHECK(r.exit_code == 3);
  CHECK(contains(r.out, "mt_tests_broken test stairway: FAILED (2 of 3 revisions round-tripped"));
  CHECK(contains(r.out, shown_fixtures +
                            "/broken/migrations/003_add_nicknames.sql:8: error: the downgrade of "
                            "'p3' does not undo its upgrade: from the schema before the upgrade "
                            "to the one after the downgrade:\n  added column "
                            "'public.people.nickname'\n"));
}

TEST_CASE("migration tests: a downgrade that drops as a constraint the index its upgrade made",
          "[db][migration_tests]") {
  RUN_TEST(r, TESTS_INDEX_CONSTRAINT_RUNNER, {"stairway"});
  CHECK(r.exit_code == 3);
  CHECK(contains(r.out, "mt_tests_index_constraint test stairway: FAILED (1 of 2 revisions"));
  CHECK(contains(r.out, shown_fixtures +
                            "/index_constraint/002_unique_emails.sql:9: error: constraint "
                            "\"users_email_key\" of relation \"users\" does not exist (SQLSTATE "
                            "42704)"));
  CHECK(contains(r.out, "(the downgrade of 'c2', right after its upgrade succeeded)"));
  // The upgrade alone is fine: only the round trip finds it.
  RUN_TEST(up, TESTS_INDEX_CONSTRAINT_RUNNER, {"upgrade"});
  CHECK(up.exit_code == 0);
}

TEST_CASE("migration tests: an irreversible migration ends the stairway as skipped",
          "[db][migration_tests]") {
  RUN_TEST(r, TESTS_IRREVERSIBLE_RUNNER, {"stairway"});
  CHECK(r.exit_code == 77);
  CHECK(contains(r.out, "mt_tests_irreversible test stairway: skipped (1 of 3 revisions"));
  CHECK(contains(r.out, "the stairway stops at 'i2' (" + shown_fixtures +
                            "/irreversible/002_drop_payloads.sql:1): it cannot be downgraded "
                            "(no '-- migrate:downgrade' section); 1 of 3 revisions were "
                            "round-tripped before it"));
  SECTION("--from starts the stairway past it") {
    RUN_TEST(past, TESTS_IRREVERSIBLE_RUNNER, {"stairway", "--from", "i2"});
    CHECK(past.exit_code == 0);
    CHECK(contains(past.out, "stairway: passed (1 of 1 revisions round-tripped, 2 steps"));
  }
  SECTION("--to ends it before it") {
    RUN_TEST(before, TESTS_IRREVERSIBLE_RUNNER, {"stairway", "--to", "i1"});
    CHECK(before.exit_code == 0);
    CHECK(contains(before.out, "stairway: passed (1 of 1 revisions round-tripped"));
  }
}

TEST_CASE("migration tests: a head that differs from schema/ and a stale dump fail",
          "[db][migration_tests]") {
  RUN_TEST(r, TESTS_BROKEN_RUNNER, {"schema_matches", "dump_current"});
  CHECK(r.exit_code == 3);
  CHECK(contains(r.out, "mt_tests_broken test schema_matches: FAILED"));
  CHECK(contains(r.out,
                 "the declared schema has changes that no migration makes:\n  added column "
                 "'public.people.born'\n"));
  CHECK(contains(r.out, "mt_tests_broken test dump_current: FAILED"));
  CHECK(contains(r.out, fixtures + "/broken/generated/schema.sql does not match the schema the "
                                   "migrations make: write it again with: cmake --build "));
  CHECK(contains(r.out, "0 passed, 2 failed, 0 skipped"));
}

TEST_CASE("migration tests: a data check that fails on the upgrade names its file and rows",
          "[db][migration_tests]") {
  RUN_TEST(r, TESTS_NAMES_RUNNER, {"data", "--data", fixtures + "/data_fails_up"});
  CHECK(r.exit_code == 3);
  CHECK(contains(r.out, "mt_tests_names test data: FAILED (1 of 3 revisions"));
  CHECK(contains(r.out, fixtures +
                            "/data_fails_up/p2.check.sql:2: error: the check failed after the "
                            "upgrade to 'p2': it returned 2 rows (a check returns none)\n"
                            "    first_name=Ada, last_name=Lovelace\n"
                            "    first_name=Alan, last_name=Turing\n"));
}

TEST_CASE("migration tests: a data check that fails only on the downgrade",
          "[db][migration_tests]") {
  // p2's downgrade keeps only the first names: its upgrade is right, and the
  // rows seeded at p1 come back wrong.
  RUN_TEST(r, TESTS_BROKEN_RUNNER, {"data", "--data", fixtures + "/data_good"});
  CHECK(r.exit_code == 3);
  CHECK(contains(r.out, "mt_tests_broken test data: FAILED (3 of 3 revisions"));
  CHECK(contains(r.out, fixtures + "/data_good/p1.check.sql:3: error: the check failed after the "
                                   "downgrade of 'p2' to 'p1': it returned 2 rows (a check returns "
                                   "none)\n    name=Ada\n    name=Alan\n"));
}

TEST_CASE("migration tests: bad input is refused before any database is made",
          "[db][migration_tests]") {
  SECTION("an unknown test") {
    RUN_TEST(r, TESTS_NAMES_RUNNER, {"stairs"});
    CHECK(r.exit_code == 2);
    CHECK(contains(r.err,
                   "unknown test 'stairs': expected single_head, upgrade, stairway, data, "
                   "schema_matches, dump_current"));
  }
  SECTION("data without --data") {
    RUN_TEST(r, TESTS_NAMES_RUNNER, {"data"});
    CHECK(r.exit_code == 2);
    CHECK(contains(r.err, "the data test needs --data DIR"));
  }
  SECTION("a data file named after no revision") {
    RUN_TEST(r, TESTS_NAMES_RUNNER, {"data", "--data", fixtures + "/data_unknown"});
    CHECK(r.exit_code == 2);
    CHECK(contains(r.err, fixtures + "/data_unknown/p9.check.sql: no revision 'p9' in the "
                                     "migrations"));
  }
  SECTION("dump_current without a committed dump") {
    RUN_TEST(r, TESTS_IRREVERSIBLE_RUNNER, {"dump_current"});
    CHECK(r.exit_code == 2);
    CHECK(contains(r.err, "dump_current compares "));
    CHECK(contains(r.err, "and there is no such file: write it with cmake --build "));
  }
}

TEST_CASE("migration tests: views, functions, grants, enums and a concurrent index round-trip",
          "[db][migration_tests]") {
  // k1 to k4 are sound (k3 is transactional false: downgraded for real and
  // upgraded again); k5's downgrade forgets its REVOKE, which event triggers
  // cannot name, so the whole catalog is compared and tells it.
  RUN_TEST(r, TESTS_KINDS_RUNNER, {"stairway"});
  CHECK(r.exit_code == 3);
  CHECK(contains(r.out,
                 "mt_tests_kinds test stairway: FAILED (4 of 5 revisions round-tripped, "
                 "11 steps"));
  CHECK(contains(r.out, shown_fixtures +
                            "/kinds/005_grant_insert.sql:8: error: the downgrade of 'k5' does "
                            "not undo its upgrade: from the schema before the upgrade to the one "
                            "after the downgrade:\n  granted INSERT on public.notes to PUBLIC"));
  RUN_TEST(to_k4, TESTS_KINDS_RUNNER, {"stairway", "--to", "k4"});
  CHECK(to_k4.exit_code == 0);
}

TEST_CASE("migration tests: without a superuser the stairway compares whole catalogs, alike",
          "[db][migration_tests]") {
  std::string server = plain_role_server();
  auto sound = run_test_on(server, TESTS_NAMES_RUNNER, {"stairway"});
  INFO(sound.out << sound.err);
  CHECK(sound.exit_code == 0);
  CHECK(contains(sound.out, "stairway: passed (3 of 3 revisions round-tripped, 6 steps"));
  auto broken = run_test_on(server, TESTS_BROKEN_RUNNER, {"stairway"});
  INFO(broken.out << broken.err);
  CHECK(broken.exit_code == 3);
  CHECK(contains(broken.out,
                 "error: the downgrade of 'p3' does not undo its upgrade: from the "
                 "schema before the upgrade to the one after the downgrade:\n  added "
                 "column 'public.people.nickname'\n"));
  auto kinds = run_test_on(server, TESTS_KINDS_RUNNER, {"stairway"});
  INFO(kinds.out << kinds.err);
  CHECK(kinds.exit_code == 3);
  CHECK(contains(kinds.out, "granted INSERT on public.notes to PUBLIC"));
}

TEST_CASE("migration tests: the data test's way down ends at an irreversible migration, skipped",
          "[db][migration_tests]") {
  RUN_TEST(r, TESTS_IRREVERSIBLE_RUNNER, {"data", "--data", fixtures + "/data_irreversible"});
  CHECK(r.exit_code == 77);
  CHECK(contains(r.out, "mt_tests_irreversible test data: skipped (3 of 3 revisions"));
  CHECK(contains(r.out, "the downgrade path stops at 'i2' (" + shown_fixtures +
                            "/irreversible/002_drop_payloads.sql): it cannot be downgraded; the "
                            "checks ran on the way up"));
}
