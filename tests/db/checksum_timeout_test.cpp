// Checksums of applied migrations (upgrade and check refuse an edited one,
// repair records the edit) and lock_timeout / statement_timeout.
#include <catch2/catch.hpp>
#include <chrono>
#include <pqxx/pqxx>

#include "migration_tools/core/checksum.hpp"
#include "runners.hpp"
#include "test_database.hpp"

using namespace migration_tools::test;
using Catch::Matchers::Contains;

namespace {

const std::string rev_b_file = "tests/db/fixtures/linear/002_rev_b_create_items.sql";

// Simulates an edit of rev_b's file after it was applied: the recorded
// checksum no longer matches the runner's embedded file.
void pretend_rev_b_was_edited(const std::string& url) {
  column(url,
         "UPDATE mt_linear_version_history SET checksum = repeat('ab', 32)"
         " WHERE revision = 'rev_b' AND direction IN ('upgrade', 'stamp', 'repair')"
         " RETURNING 1");
}

std::string recorded_rev_b(const std::string& url) {
  return column(url,
                "SELECT checksum FROM mt_linear_version_history WHERE revision = 'rev_b'"
                " AND direction IN ('upgrade', 'stamp', 'repair') ORDER BY id DESC LIMIT 1")
      .at(0);
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

TEST_CASE("an edited applied migration stops upgrade (2) and check (3) until repair", "[db]") {
  auto url = fresh_database("checksum_edited");
  REQUIRE(linear(url, {"upgrade", "rev_d"}).exit_code == 0);
  std::string real = recorded_rev_b(url);
  REQUIRE(real.size() == 67);  // "m1:" and the checksum of meaning
  pretend_rev_b_was_edited(url);
  std::string history = "SELECT count(*) FROM mt_linear_version_history";
  auto rows_before = column(url, history);
  std::string message = rev_b_file + ":1: error: revision 'rev_b' was applied on ";
  std::string rest = " from a file whose checksum was abababababab; the file now has " +
                     real.substr(0, 12) +
                     ": an applied migration was edited. Restore it, or record the edit with "
                     "'mt_linear repair'";

  auto up = linear(url, {"upgrade"});
  INFO(up.out << up.err);
  CHECK(up.exit_code == 2);
  CHECK_THAT(up.err, Contains(message) && Contains(rest));
  // The time of the upgrade row, in UTC.
  CHECK_THAT(up.err, Contains(column(url,
                                     "SELECT to_char(finished_at AT TIME ZONE 'UTC',"
                                     " 'YYYY-MM-DD HH24:MI:SS') || '+00' FROM"
                                     " mt_linear_version_history WHERE revision = 'rev_b'"
                                     " AND direction = 'upgrade'")
                                  .at(0)));
  // Nothing changed: rev_e was not applied and no history row was written.
  CHECK(column(url, "SELECT version_num FROM mt_linear_version") ==
        std::vector<std::string>{"rev_d"});
  CHECK(column(url, history) == rows_before);

  auto check = linear(url, {"check"});
  CHECK(check.exit_code == 3);
  CHECK_THAT(check.out, Contains("problem:") && Contains("1 applied migration was edited") &&
                            Contains(message) && Contains(rest));

  auto repair = linear(url, {"repair"});
  INFO(repair.out << repair.err);
  REQUIRE(repair.exit_code == 0);
  CHECK_THAT(repair.out, Contains("repaired rev_b (" + rev_b_file + "): abababababab -> " +
                                  real.substr(0, 12)));
  CHECK(column(url, "SELECT checksum FROM mt_linear_version_history WHERE direction = 'repair'") ==
        std::vector<std::string>{real});
  CHECK(recorded_rev_b(url) == real);

  auto again = linear(url, {"repair"});
  CHECK(again.exit_code == 0);
  CHECK_THAT(again.out, Contains("nothing needed repair"));
  CHECK(linear(url, {"upgrade"}).exit_code == 0);
  CHECK(linear(url, {"check"}).exit_code == 0);
}

TEST_CASE("a revision applied by stamp is checked against the stamped checksum", "[db]") {
  auto url = fresh_database("checksum_stamped");
  REQUIRE(linear(url, {"stamp", "rev_b"}).exit_code == 0);
  pretend_rev_b_was_edited(url);
  auto up = linear(url, {"upgrade"});
  CHECK(up.exit_code == 2);
  CHECK_THAT(up.err, Contains(rev_b_file + ":1: error: revision 'rev_b' was stamped on "));
  CHECK_FALSE(table_exists(url, "items"));
}

TEST_CASE("repair works on a history table made before the 'repair' direction", "[db]") {
  auto url = fresh_database("checksum_old_ddl");
  REQUIRE(linear(url, {"upgrade", "rev_b"}).exit_code == 0);
  // The constraint as the first versions created it.
  column(url,
         "ALTER TABLE mt_linear_version_history"
         " DROP CONSTRAINT mt_linear_version_history_direction_check,"
         " ADD CONSTRAINT mt_linear_version_history_direction_check"
         " CHECK (direction IN ('upgrade', 'downgrade', 'stamp', 'failure'))");
  pretend_rev_b_was_edited(url);
  auto repair = linear(url, {"repair"});
  INFO(repair.out << repair.err);
  CHECK(repair.exit_code == 0);
  CHECK_THAT(repair.out, Contains("repaired rev_b"));
  CHECK_THAT(column(url,
                    "SELECT pg_get_constraintdef(oid) FROM pg_constraint"
                    " WHERE conname = 'mt_linear_version_history_direction_check'")
                 .at(0),
             Contains("'repair'"));
  CHECK(linear(url, {"check"}).exit_code == 3);  // behind, but no longer edited
  CHECK(linear(url, {"upgrade"}).exit_code == 0);
}

TEST_CASE("a migration applied from a CRLF file with a BOM matches its LF checkout", "[db]") {
  auto url = fresh_database("checksum_eol");
  REQUIRE(run_runner(EOL_CRLF_RUNNER, url, {"upgrade"}).exit_code == 0);
  auto check = run_runner(EOL_LF_RUNNER, url, {"check"});
  INFO(check.out << check.err);
  CHECK(check.exit_code == 0);
  CHECK(run_runner(EOL_LF_RUNNER, url, {"upgrade"}).exit_code == 0);
  CHECK_THAT(run_runner(EOL_LF_RUNNER, url, {"repair"}).out, Contains("nothing needed repair"));
}

TEST_CASE("checksums of meaning: layout and comments are no edit, a changed literal is one",
          "[db][checksum]") {
  auto url = fresh_database("checksum_meaning");
  REQUIRE(run_runner(EOL_LF_RUNNER, url, {"upgrade"}).exit_code == 0);
  auto recorded = column(url, "SELECT checksum FROM eol_version_history WHERE revision = 'eol_a'");
  REQUIRE(recorded.size() == 1);
  CHECK(recorded[0].rfind("m1:", 0) == 0);
  // Reformatted, re-commented, keywords in lower case: the same migration.
  auto layout = run_runner(EOL_LAYOUT_RUNNER, url, {"check"});
  INFO(layout.out << layout.err);
  CHECK(layout.exit_code == 0);
  CHECK(run_runner(EOL_LAYOUT_RUNNER, url, {"upgrade"}).exit_code == 0);
  // A literal changed: an edit.
  auto literal = run_runner(EOL_LITERAL_RUNNER, url, {"upgrade"});
  INFO(literal.out << literal.err);
  CHECK(literal.exit_code == 2);
  CHECK_THAT(literal.err, Contains("revision 'eol_a' was applied on ") &&
                              Contains("an applied migration was edited"));
}

TEST_CASE("checksums of meaning: rows of the textual kind keep verifying, repair moves them",
          "[db][checksum]") {
  auto url = fresh_database("checksum_kinds");
  REQUIRE(run_runner(EOL_LF_RUNNER, url, {"upgrade"}).exit_code == 0);
  // As a runner before checksums of meaning wrote it: the file's SHA-256
  // (the file tests/db/CMakeLists.txt writes for mt_eol_lf).
  const std::string eol_lf_text =
      "-- migrate:revision eol_a\n-- migrate:down_revision none\n"
      "-- migrate:message one migration, two line-ending conventions\n\n-- migrate:upgrade\n"
      "CREATE TABLE eol_notes (note text);\n\n-- migrate:downgrade\nDROP TABLE eol_notes;\n";
  pqxx::connection c(url);
  pqxx::work tx(c);
  tx.exec0("UPDATE eol_version_history SET checksum = '" +
           migration_tools::migration_checksum(eol_lf_text) + "' WHERE revision = 'eol_a'");
  tx.commit();
  auto check = run_runner(EOL_LF_RUNNER, url, {"check"});
  INFO(check.out << check.err);
  CHECK(check.exit_code == 0);
  // A layout edit against a textual row is an edit still: its old meaning is unknown.
  CHECK(run_runner(EOL_LAYOUT_RUNNER, url, {"check"}).exit_code == 3);
  auto repair = run_runner(EOL_LF_RUNNER, url, {"repair"});
  INFO(repair.out << repair.err);
  CHECK(repair.exit_code == 0);
  CHECK_THAT(repair.err, Contains("recorded checksums of meaning for 1 applied migration whose "
                                  "rows held the textual checksum"));
  CHECK(column(url,
               "SELECT checksum LIKE 'm1:%' FROM eol_version_history WHERE revision = "
               "'eol_a' AND direction = 'repair'") == std::vector<std::string>{"t"});
  // Moved: now the layout edit is none.
  CHECK(run_runner(EOL_LAYOUT_RUNNER, url, {"check"}).exit_code == 0);
}

TEST_CASE("a migration on a locked table fails fast under --lock-timeout (55P03)", "[db]") {
  auto url = fresh_database("timeout_lock_option");
  REQUIRE(linear(url, {"upgrade", "rev_b"}).exit_code == 0);
  pqxx::connection holder(url);
  pqxx::work hold(holder);
  hold.exec0("LOCK TABLE items IN ACCESS EXCLUSIVE MODE");
  auto start = std::chrono::steady_clock::now();
  // One try: the lock guard's retries are tests/db/lock_guard_test.cpp's.
  auto r = linear(url, {"--lock-timeout", "200ms", "--lock-retries", "0", "upgrade"});
  double took = seconds_since(start);
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Contains("tests/db/fixtures/linear/003_rev_c_seed_items.cpp:") &&
                        Contains(": error: ") && Contains("(SQLSTATE 55P03)"));
  CHECK(took < 20);
  hold.abort();
  // Nothing of rev_c or later was applied.
  CHECK(column(url, "SELECT version_num FROM mt_linear_version") ==
        std::vector<std::string>{"rev_b"});
  CHECK(column(url, "SELECT count(*) FROM items") == std::vector<std::string>{"0"});
  CHECK(column(url,
               "SELECT count(*) FROM mt_linear_version_history WHERE direction = 'failure'"
               " AND revision = 'rev_c' AND error LIKE '%55P03%'") ==
        std::vector<std::string>{"1"});
  // Without the lock the same command goes through.
  CHECK(linear(url, {"--lock-timeout", "200ms", "upgrade"}).exit_code == 0);
}

TEST_CASE("malformed --lock-timeout and --statement-timeout are bad usage", "[db]") {
  auto url = fresh_database("timeout_malformed");
  for (const char* option : {"--lock-timeout", "--statement-timeout"}) {
    auto r = linear(url, {option, "5m", "upgrade"});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Contains("malformed duration '5m'"));
  }
  CHECK_FALSE(table_exists(url, "mt_linear_version"));
}

TEST_CASE("a migration's lock_timeout header wins over --lock-timeout", "[db]") {
  auto url = fresh_database("timeout_lock_header");
  REQUIRE(run_runner(TIMEOUTS_RUNNER, url, {"upgrade", "to_a"}).exit_code == 0);
  pqxx::connection holder(url);
  pqxx::work hold(holder);
  hold.exec0("LOCK TABLE busy IN ACCESS EXCLUSIVE MODE");
  auto start = std::chrono::steady_clock::now();
  auto r = run_runner(TIMEOUTS_RUNNER, url,
                      {"--lock-timeout", "10min", "--lock-retries", "0", "upgrade", "to_b"});
  double took = seconds_since(start);
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Contains("tests/db/fixtures/timeouts/002_to_b_alter_busy.sql:7: error: ") &&
                        Contains("(SQLSTATE 55P03)"));
  CHECK(took < 20);
  hold.abort();
  CHECK(column(url, "SELECT version_num FROM mt_timeouts_version") ==
        std::vector<std::string>{"to_a"});
  CHECK(run_runner(TIMEOUTS_RUNNER, url, {"upgrade", "to_b"}).exit_code == 0);
}

TEST_CASE("statement_timeout stops a slow statement of a non-transactional migration", "[db]") {
  auto url = fresh_database("timeout_statement_header");
  REQUIRE(run_runner(TIMEOUTS_RUNNER, url, {"upgrade", "to_b"}).exit_code == 0);
  auto start = std::chrono::steady_clock::now();
  auto r = run_runner(TIMEOUTS_RUNNER, url, {"upgrade"});
  double took = seconds_since(start);
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Contains("tests/db/fixtures/timeouts/003_to_c_too_slow.sql:9: error: ") &&
                        Contains("(SQLSTATE 57014)"));
  CHECK(took < 20);
  CHECK(column(url, "SELECT version_num FROM mt_timeouts_version") ==
        std::vector<std::string>{"to_b"});
}

TEST_CASE("offline scripts set the timeouts as the runner does", "[db]") {
  auto r = run_process({TIMEOUTS_RUNNER, "--statement-timeout", "1s", "upgrade", "--sql"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  // to_a: the lock guard's default lock_timeout and the option; to_b: its
  // header's lock_timeout and the option.
  CHECK_THAT(r.out, Contains("BEGIN;\nSET LOCAL lock_timeout = 3000;\n"
                             "SET LOCAL statement_timeout = 1000;\n"));
  CHECK_THAT(r.out, Contains("BEGIN;\nSET LOCAL lock_timeout = 150;\n"
                             "SET LOCAL statement_timeout = 1000;\n"));
  // to_c runs outside a transaction: SET on the session, its header winning.
  CHECK_THAT(r.out, Contains("SET statement_timeout = 100;\n"));
  CHECK_THAT(r.out, Contains("RESET statement_timeout;\nBEGIN;\n"));
}
