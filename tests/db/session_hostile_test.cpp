// Issue 10, items 4 to 6: whatever a migration does to its session (frees
// every advisory lock, DISCARD ALL, RESET ALL, SET search_path), the
// migration lock holds for the whole run, the runner's bookkeeping goes on,
// and the next migration starts from the runner's session state.
#include <catch2/catch.hpp>
#include <chrono>
#include <thread>

#include "runners.hpp"
#include "test_database.hpp"

using namespace migration_tools::test;

TEST_CASE(
    "a migration that frees advisory locks and discards its session neither frees the "
    "migration lock nor leaks settings into the next one",
    "[db][safety]") {
  std::string url = fresh_database("session_hostile");
  auto first = start_process({SESSION_HOSTILE_RUNNER, "--url", url, "--color", "never", "upgrade"});
  // Wait until the first runner sleeps, after pg_advisory_unlock_all() and DISCARD ALL.
  bool sleeping = false;
  for (int i = 0; i < 200 && !sleeping; ++i) {
    sleeping = column(url,
                      "SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(2)%'"
                      " AND pid <> pg_backend_pid()")
                   .at(0) == "1";
    if (!sleeping) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  REQUIRE(sleeping);
  auto second = run_runner(SESSION_HOSTILE_RUNNER, url, {"--lock-wait", "0", "upgrade"});
  CHECK(second.exit_code == 1);
  CHECK(second.err.find("gave up waiting for the migration lock") != std::string::npos);
  CAPTURE(second.err);

  auto r = finish_process(first, 60);
  CAPTURE(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(column(url, "SELECT version_num FROM mt_session_hostile_version").at(0) == "hs_c");
  CHECK(column(url, "SELECT count(*) FROM mt_session_hostile_version_progress").at(0) == "0");
  CHECK(column(url,
               "SELECT string_agg(revision || ':' || direction, ',' ORDER BY id)"
               " FROM mt_session_hostile_version_history")
            .at(0) == "hs_a:upgrade,hs_b:upgrade,hs_c:upgrade");
  // hs_c started from the runner's state, not from what hs_b left.
  CHECK(table_exists(url, "public.settings_seen"));
  CHECK(column(url, "SELECT search_path FROM public.settings_seen").at(0) == "\"$user\", public");
  CHECK(column(url, "SELECT check_interval FROM public.settings_seen").at(0) == "1s");
  CHECK(column(url, "SELECT statement_timeout FROM public.settings_seen").at(0) == "0");
}
