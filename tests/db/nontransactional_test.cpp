// `transactional false` migrations: statements in autocommit, progress
// recorded per statement, a failed state that stops the next run, `--resume`
// and `stamp`.
#include <catch2/catch.hpp>

#include "psql.hpp"
#include "runners.hpp"
#include "test_database.hpp"

using namespace migration_tools::test;

namespace {

process_result nontx(const std::string& url, std::vector<std::string> args) {
  return run_runner(NONTRANSACTIONAL_RUNNER, url, std::move(args));
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

const char* const resume_file = "tests/db/fixtures/nontransactional/002_nt_resume.sql";

// "index line finished error" of each progress row.
std::vector<std::string> progress_rows(const std::string& url) {
  return column(url,
                "SELECT statement_index || ' ' || statement_line || ' ' ||"
                " (finished_at IS NOT NULL) || ' ' || coalesce(error, '-')"
                " FROM mt_nontx_version_progress ORDER BY statement_index");
}

// `upgrade --sql`, applied with psql.
process_result offline_upgrade(const std::string& url, const std::string& name) {
  auto script = nontx(url, {"upgrade", "--sql"});
  REQUIRE(script.exit_code == 0);
  return apply_script(url, script.out, name);
}

// Upgrades until nt_resume fails at its second statement (line 8).
void fail_at_second_statement(const std::string& url) {
  auto r = nontx(url, {"upgrade"});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 1);
  CHECK(contains(r.err,
                 std::string(resume_file) +
                     ":8:13: error: relation \"target_table\" does not exist (SQLSTATE 42P01)"));
}

}  // namespace

TEST_CASE("transactional false runs CREATE INDEX CONCURRENTLY outside a transaction", "[db]") {
  auto url = fresh_database("nontx_concurrently");
  auto r = nontx(url, {"upgrade", "nt_index"});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(column(url,
               "SELECT indisvalid::text FROM pg_index "
               "WHERE indexrelid = 'items_name_idx'::regclass") ==
        std::vector<std::string>{"true"});
  CHECK(column(url, "SELECT version_num FROM mt_nontx_version") ==
        std::vector<std::string>{"nt_index"});
  CHECK(column(url, "SELECT count(*) FROM mt_nontx_version_progress") ==
        std::vector<std::string>{"0"});
  // DROP INDEX CONCURRENTLY on the way down.
  r = nontx(url, {"downgrade", "base"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK_FALSE(table_exists(url, "items"));
}

TEST_CASE("a failed transactional-false migration stops the next run until it is resumed", "[db]") {
  auto url = fresh_database("nontx_resume");
  fail_at_second_statement(url);
  // Statement 1 ran and stays; the version did not move.
  CHECK(column(url, "SELECT version_num FROM mt_nontx_version") ==
        std::vector<std::string>{"nt_index"});
  CHECK(column(url, "SELECT count(*) FROM items WHERE id = 1") == std::vector<std::string>{"1"});
  CHECK(progress_rows(url) ==
        std::vector<std::string>{
            "1 7 true -", "2 8 false relation \"target_table\" does not exist (SQLSTATE 42P01)"});
  CHECK(column(url, "SELECT count(*) FROM mt_nontx_version_history WHERE direction = 'failure'") ==
        std::vector<std::string>{"1"});

  auto check = nontx(url, {"check"});
  INFO(check.out << check.err);
  CHECK(check.exit_code == 3);
  CHECK(contains(check.out, std::string(resume_file) + ":8: error: revision 'nt_resume'"));

  // Without --resume: refused (exit 1), naming the failed statement, what ran, and what to do.
  for (auto args :
       {std::vector<std::string>{"upgrade"}, std::vector<std::string>{"downgrade", "base"}}) {
    auto r = nontx(url, args);
    INFO(r.out << r.err);
    CHECK(r.exit_code == 1);
    CHECK(contains(r.err, std::string(resume_file) +
                              ":8: error: revision 'nt_resume' (transactional false) failed "
                              "part-way through its upgrade, at statement 2 of 3: relation "
                              "\"target_table\" does not exist (SQLSTATE 42P01)"));
    CHECK(contains(r.err, "statements that already ran and stay applied: 1 (line 7)"));
    CHECK(contains(r.err, "continue at statement 2 with: mt_nontx upgrade --resume"));
    CHECK(contains(r.err,
                   "mt_nontx stamp nt_resume (completed), or mt_nontx stamp nt_index (undone)"));
  }
  CHECK(column(url, "SELECT count(*) FROM items WHERE id = 1") == std::vector<std::string>{"1"});

  SECTION("resume after fixing the cause continues at the failed statement") {
    // Still failing: the failure is recorded again, statement 1 still does not re-run.
    auto again = nontx(url, {"upgrade", "--resume"});
    CHECK(again.exit_code == 1);
    CHECK(
        contains(again.err, std::string(resume_file) + ":8:13: error: relation \"target_table\""));
    column(url, "CREATE TABLE target_table (id int) ; SELECT 1");
    auto r = nontx(url, {"upgrade", "--resume"});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    CHECK(contains(r.err, "resuming revision 'nt_resume' at statement 2"));
    CHECK(column(url, "SELECT version_num FROM mt_nontx_version") ==
          std::vector<std::string>{"nt_lost"});
    CHECK(column(url, "SELECT count(*) FROM items WHERE id = 1") == std::vector<std::string>{"1"});
    CHECK(column(url, "SELECT id::text FROM target_table") == std::vector<std::string>{"2"});
    CHECK(column(url,
                 "SELECT indisvalid::text FROM pg_index "
                 "WHERE indexrelid = 'target_table_id_idx'::regclass") ==
          std::vector<std::string>{"true"});
    CHECK(column(url, "SELECT count(*) FROM mt_nontx_version_progress") ==
          std::vector<std::string>{"0"});
    CHECK(nontx(url, {"check"}).exit_code == 0);
  }

  SECTION("resume refuses when a statement that already ran has changed") {
    column(url,
           "UPDATE mt_nontx_version_progress SET statement_checksum = 'edited' "
           "WHERE statement_index = 1 RETURNING 1");
    column(url, "CREATE TABLE target_table (id int) ; SELECT 1");
    auto r = nontx(url, {"upgrade", "--resume"});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 1);
    CHECK(contains(r.err, std::string(resume_file) +
                              ":7: error: cannot resume revision 'nt_resume': statement 1 "
                              "(line 7 when it ran at "));
    CHECK(contains(r.err, "already ran but has changed since"));
    CHECK(column(url, "SELECT count(*) FROM target_table") == std::vector<std::string>{"0"});
  }

  SECTION("stamp sets the version and clears the failed state") {
    column(url, "CREATE TABLE target_table (id int) ; SELECT 1");
    auto r = nontx(url, {"stamp", "nt_resume"});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    CHECK(contains(r.err, "cleared the failed state of revision 'nt_resume'"));
    CHECK(column(url, "SELECT count(*) FROM mt_nontx_version_progress") ==
          std::vector<std::string>{"0"});
    r = nontx(url, {"upgrade"});
    CHECK(r.exit_code == 0);
    CHECK(column(url, "SELECT version_num FROM mt_nontx_version") ==
          std::vector<std::string>{"nt_lost"});
    // The stamp did not run nt_resume's remaining statements.
    CHECK(column(url, "SELECT count(*) FROM target_table") == std::vector<std::string>{"0"});
  }
}

TEST_CASE("losing the connection in a transactional-false migration keeps its progress", "[db]") {
  auto url = fresh_database("nontx_lost");
  column(url, "CREATE TABLE target_table (id int); CREATE TABLE kill_switch (); SELECT 1");
  auto r = nontx(url, {"upgrade"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
  CHECK(contains(r.err,
                 "tests/db/fixtures/nontransactional/003_nt_lost.sql:8: error: lost the "
                 "connection to the database while running statement 2 of 3 of revision "
                 "'nt_lost'"));
  CHECK(column(url, "SELECT version_num FROM mt_nontx_version") ==
        std::vector<std::string>{"nt_resume"});
  // Statement 1 committed and is recorded as done; statement 2 is recorded as started only.
  CHECK(column(url,
               "SELECT statement_index || ' ' || (finished_at IS NOT NULL) || ' ' ||"
               " (error IS NULL) FROM mt_nontx_version_progress ORDER BY statement_index") ==
        std::vector<std::string>{"1 true true", "2 false true"});

  auto next = nontx(url, {"upgrade"});
  INFO(next.out << next.err);
  CHECK(next.exit_code == 1);
  CHECK(contains(next.err,
                 "003_nt_lost.sql:8: error: revision 'nt_lost' (transactional false) was "
                 "interrupted part-way through its upgrade, at statement 2 of 3"));
  CHECK(contains(next.err, "statements that already ran and stay applied: 1 (line 7)"));
  CHECK(nontx(url, {"check"}).exit_code == 3);

  column(url, "DROP TABLE kill_switch; SELECT 1");
  auto resumed = nontx(url, {"upgrade", "--resume"});
  INFO(resumed.out << resumed.err);
  CHECK(resumed.exit_code == 0);
  CHECK(column(url, "SELECT id::text FROM items WHERE id > 2 ORDER BY id") ==
        std::vector<std::string>{"3", "4"});
  CHECK(nontx(url, {"check"}).exit_code == 0);
}

TEST_CASE("an offline script stopped in a transactional-false migration leaves what --resume needs",
          "[db][offline]") {
  auto url = fresh_database("nontx_offline");
  auto psql = offline_upgrade(url, "nontx-offline");
  INFO(psql.out << psql.err);
  // psql stops at nt_resume's second statement; the first ran and is recorded as done.
  CHECK(psql.exit_code != 0);
  CHECK(contains(psql.err, "relation \"target_table\" does not exist"));
  CHECK(column(url, "SELECT version_num FROM mt_nontx_version") ==
        std::vector<std::string>{"nt_index"});
  CHECK(progress_rows(url) == std::vector<std::string>{"1 7 true -", "2 8 false -"});

  // The runner sees the same failed state as after an online failure.
  auto r = nontx(url, {"upgrade"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
  CHECK(contains(r.err, std::string(resume_file) +
                            ":8: error: revision 'nt_resume' "
                            "(transactional false) was interrupted "
                            "part-way through its upgrade, at statement 2 of 3"));
  CHECK(contains(r.err, "an offline script stopped"));
  CHECK(contains(r.err, "statements that already ran and stay applied: 1 (line 7)"));

  // --resume continues at statement 2 (statement 1 does not run twice).
  column(url, "CREATE TABLE target_table (id int) ; SELECT 1");
  r = nontx(url, {"upgrade", "--resume"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK(column(url, "SELECT version_num FROM mt_nontx_version") ==
        std::vector<std::string>{"nt_lost"});
  CHECK(column(url, "SELECT count(*) FROM items WHERE id = 1") == std::vector<std::string>{"1"});
  CHECK(column(url, "SELECT count(*) FROM mt_nontx_version_progress") ==
        std::vector<std::string>{"0"});
}

TEST_CASE("an offline script runs transactional-false migrations and clears their progress",
          "[db][offline]") {
  auto url = fresh_database("nontx_offline_ok");
  column(url, "CREATE TABLE target_table (id int) ; SELECT 1");
  auto psql = offline_upgrade(url, "nontx-offline-ok");
  INFO(psql.out << psql.err);
  REQUIRE(psql.exit_code == 0);
  CHECK(column(url, "SELECT version_num FROM mt_nontx_version") ==
        std::vector<std::string>{"nt_lost"});
  CHECK(column(url, "SELECT count(*) FROM mt_nontx_version_progress") ==
        std::vector<std::string>{"0"});
  CHECK(column(url,
               "SELECT indisvalid::text FROM pg_index "
               "WHERE indexrelid = 'target_table_id_idx'::regclass") ==
        std::vector<std::string>{"true"});
  CHECK(nontx(url, {"check"}).exit_code == 0);
}

TEST_CASE("a run stopped between two statements is described as such, with --resume at the next",
          "[db]") {
  auto url = fresh_database("nontx_between");
  fail_at_second_statement(url);
  // As if the runner had stopped after statement 1 finished, before
  // statement 2 started: only the first row remains.
  column(url, "DELETE FROM mt_nontx_version_progress WHERE statement_index = 2");
  auto r = nontx(url, {"upgrade"});
  INFO(r.err);
  CHECK(r.exit_code == 1);
  CHECK(contains(r.err, std::string(resume_file) +
                            ":7: error: revision 'nt_resume' (transactional false) stopped "
                            "part-way through its upgrade: 1 of 3 statements ran, and statement "
                            "2 never started"));
  CHECK(contains(r.err, "continue at statement 2 with: mt_nontx upgrade --resume"));
  CHECK_FALSE(contains(r.err, "ran all its recorded"));

  // A stamp that only ends the failed state (the version stays) is recorded.
  REQUIRE(nontx(url, {"stamp", "nt_index"}).exit_code == 0);
  CHECK(column(url, "SELECT count(*) FROM mt_nontx_version_progress") ==
        std::vector<std::string>{"0"});
  CHECK(column(url,
               "SELECT revision || ':' || direction || ':' || error FROM "
               "mt_nontx_version_history ORDER BY id DESC LIMIT 1") ==
        std::vector<std::string>{"nt_resume:stamp:stamp cleared the failed state of its upgrade "
                                 "(stopped at statement 1); its statements were not run again"});
}

TEST_CASE("a version table edited by hand (a NULL, a duplicate) is named, with how to mend it",
          "[db]") {
  auto url = fresh_database("nontx_damaged");
  REQUIRE(nontx(url, {"upgrade", "nt_index"}).exit_code == 0);
  column(url,
         "ALTER TABLE mt_nontx_version DROP CONSTRAINT mt_nontx_version_pkey;"
         " ALTER TABLE mt_nontx_version ALTER COLUMN version_num DROP NOT NULL;"
         " INSERT INTO mt_nontx_version VALUES (NULL)");
  auto check = nontx(url, {"check"});
  CHECK(check.exit_code == 3);
  CHECK(contains(check.out, "holds a row whose version_num is NULL"));
  auto up = nontx(url, {"upgrade"});
  CHECK(up.exit_code == 1);
  CHECK(contains(up.err, "holds a row whose version_num is NULL"));
  CHECK_FALSE(contains(up.err, "rebuild the runner"));

  column(url,
         "DELETE FROM mt_nontx_version WHERE version_num IS NULL;"
         " INSERT INTO mt_nontx_version VALUES ('nt_index')");
  auto stamp = nontx(url, {"stamp", "nt_index"});
  CHECK(stamp.exit_code == 1);
  CHECK(contains(stamp.err, "holds revision 'nt_index' more than once"));
  CHECK(contains(stamp.err, "'stamp --purge nt_index'"));
  CHECK_FALSE(contains(stamp.err, "changed under this run"));
  REQUIRE(nontx(url, {"stamp", "--purge", "nt_index"}).exit_code == 0);
  CHECK(column(url, "SELECT count(*) FROM mt_nontx_version") == std::vector<std::string>{"1"});
}
