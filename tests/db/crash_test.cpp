// A runner or a server that dies in the middle of a migration: the migration's
// transaction is rolled back by the server, and the next run reaches head
// without applying anything twice.
#include <signal.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <pqxx/pqxx>
#include <thread>

#include "runners.hpp"
#include "test_database.hpp"

using namespace migration_tools::test;

namespace {

// Polls `query` (one boolean) until it is true or `seconds` pass.
bool eventually(const std::string& url, const std::string& query, int seconds) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  for (;;) {
    if (column(url, query).at(0) == "t") return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

std::string sleeping_in(const std::string& database) {
  return "SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE datname = '" + database +
         "' AND application_name LIKE 'mt_sleepy upgrade%' AND state = 'active'"
         " AND query LIKE '%pg_sleep%')";
}

std::string runner_gone_from(const std::string& database) {
  return "SELECT NOT EXISTS (SELECT 1 FROM pg_stat_activity WHERE datname = '" + database +
         "' AND application_name LIKE 'mt_sleepy%')";
}

running_process start_sleepy(const std::string& url) {
  return start_process({SLEEPY_RUNNER, "--url", url, "--color", "never", "upgrade"});
}

// The database at sleepy_a, with nothing of sleepy_b (its first statement
// created a table before the sleep).
void check_at_previous_revision(const std::string& url) {
  CHECK(column(url, "SELECT version_num FROM mt_sleepy_version") ==
        std::vector<std::string>{"sleepy_a"});
  CHECK(table_exists(url, "sleepy_first"));
  CHECK_FALSE(table_exists(url, "sleepy_second"));
  CHECK(column(url,
               "SELECT count(*) FROM mt_sleepy_version_history WHERE revision = 'sleepy_b'"
               " AND direction = 'upgrade'") == std::vector<std::string>{"0"});
}

// With the flag gone, the next run applies the rest, each migration once.
void check_next_run_reaches_head(const std::string& url) {
  column(url, "DROP TABLE sleep_flag; SELECT 1");
  auto r = run_runner(SLEEPY_RUNNER, url, {"upgrade"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("sleepy_a -> sleepy_b") != std::string::npos);
  CHECK(column(url, "SELECT version_num FROM mt_sleepy_version") ==
        std::vector<std::string>{"sleepy_c"});
  CHECK(column(url,
               "SELECT revision || ' ' || count(*) FROM mt_sleepy_version_history"
               " WHERE direction = 'upgrade' GROUP BY revision ORDER BY revision") ==
        std::vector<std::string>{"sleepy_a 1", "sleepy_b 1", "sleepy_c 1"});
  CHECK(table_exists(url, "sleepy_second"));
}

// A cluster of the test's own, stopped (and removed) also when the test fails.
struct own_cluster {
  std::string dir;
  explicit own_cluster(std::string d) : dir(std::move(d)) {
    auto r = run_process({PG_CLUSTER_SCRIPT, "start", dir});
    if (r.exit_code != 0) throw std::runtime_error("pg_cluster.sh start failed: " + r.err);
  }
  ~own_cluster() { run_process({PG_CLUSTER_SCRIPT, "stop", dir}); }
  own_cluster(const own_cluster&) = delete;
  own_cluster& operator=(const own_cluster&) = delete;
  std::string url(const std::string& database) const {
    auto r = run_process({PG_CLUSTER_SCRIPT, "url", dir, database});
    if (r.exit_code != 0) throw std::runtime_error("pg_cluster.sh url failed: " + r.err);
    return r.out.substr(0, r.out.find('\n'));
  }
};

}  // namespace

TEST_CASE(
    "a runner killed with SIGKILL mid-migration leaves the previous revision, and the next run "
    "reaches head",
    "[db][safety]") {
  auto url = fresh_database("safety_kill_runner");
  column(url, "CREATE TABLE sleep_flag (); SELECT 1");
  auto child = start_sleepy(url);
  bool sleeping = eventually(url, sleeping_in("safety_kill_runner"), 30);
  ::kill(child.pid, SIGKILL);
  auto killed = finish_process(child, 30);
  INFO(killed.out << killed.err);
  REQUIRE(sleeping);
  CHECK(killed.exit_code == 128 + SIGKILL);
  // The server notices the vanished client (client_connection_check_interval)
  // and rolls the migration back, releasing the lock, long before the 30 s
  // statement would have ended.
  REQUIRE(eventually(url, runner_gone_from("safety_kill_runner"), 10));
  check_at_previous_revision(url);
  check_next_run_reaches_head(url);
}

TEST_CASE(
    "a server stopped mid-migration: the runner exits 1 naming the file, and after a restart the "
    "next run reaches head",
    "[db][safety]") {
  const char* base = std::getenv("MIGRATION_TOOLS_TEST_PG_DIR");
  REQUIRE(base);
  own_cluster cluster(std::string(base) + "-crash-server");
  auto url = cluster.url("safety_crash_server");
  REQUIRE(run_runner(SLEEPY_RUNNER, url, {"upgrade", "sleepy_a"}).exit_code == 0);
  column(url, "CREATE TABLE sleep_flag (); SELECT 1");
  auto child = start_sleepy(url);
  bool sleeping = eventually(url, sleeping_in("safety_crash_server"), 30);
  auto crash = run_process({PG_CLUSTER_SCRIPT, "crash", cluster.dir});
  auto r = finish_process(child, 30);
  INFO(r.out << r.err << crash.err);
  REQUIRE(sleeping);
  REQUIRE(crash.exit_code == 0);
  CHECK_FALSE(r.timed_out);
  CHECK(r.exit_code == 1);
  // The statement that was running, and what became of the migration.
  CHECK(r.err.find("tests/db/fixtures/sleepy/002_sleepy_b.sql:8: error: lost the connection to the "
                   "database while running revision 'sleepy_b': ") != std::string::npos);
  CHECK(r.err.find("its transaction was not committed: nothing of it was applied") !=
        std::string::npos);
  CHECK(r.err.find("not connected") == std::string::npos);

  auto restart = run_process({PG_CLUSTER_SCRIPT, "restart", cluster.dir});
  INFO(restart.err);
  REQUIRE(restart.exit_code == 0);
  check_at_previous_revision(url);
  check_next_run_reaches_head(url);
}

// A migration's last message ends with its COMMIT. A connection lost before
// the server began that COMMIT leaves nothing (the tests above); one lost
// while it commits leaves the outcome unknown, and the runner must say so
// rather than "nothing applied". Here COMMIT has written its record and
// waits for a synchronous standby that never answers, when its backend is
// terminated: the migration is applied, whole.
TEST_CASE(
    "a connection lost while the server commits a migration: the runner says the outcome is "
    "unknown, and the migration is there whole",
    "[db][safety]") {
  const char* base = std::getenv("MIGRATION_TOOLS_TEST_PG_DIR");
  REQUIRE(base);
  own_cluster cluster(std::string(base) + "-commit-in-doubt");
  auto url = cluster.url("safety_commit_doubt");
  REQUIRE(run_runner(SLEEPY_RUNNER, url, {"upgrade", "sleepy_a"}).exit_code == 0);
  auto set_standby = [&](const std::string& names) {
    pqxx::connection admin(url);
    pqxx::nontransaction tx(admin);
    tx.exec0("ALTER SYSTEM SET synchronous_standby_names = " + tx.quote(names));
    tx.exec("SELECT pg_reload_conf()");
  };
  set_standby("nobody");
  auto child =
      start_process({SLEEPY_RUNNER, "--url", url, "--color", "never", "upgrade", "sleepy_b"});
  bool waiting = eventually(url,
                            "SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE application_name"
                            " LIKE 'mt_sleepy upgrade%' AND wait_event = 'SyncRep')",
                            30);
  column(url,
         "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name"
         " LIKE 'mt_sleepy upgrade%' AND wait_event = 'SyncRep'");
  auto r = finish_process(child, 30);
  set_standby("");
  INFO(r.out << r.err);
  REQUIRE(waiting);
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("tests/db/fixtures/sleepy/002_sleepy_b.sql:1: error: lost the connection to "
                   "the database while committing revision 'sleepy_b': whether it was applied "
                   "is unknown") != std::string::npos);
  CHECK(r.err.find("nothing of it was applied") == std::string::npos);
  CHECK(r.err.find("CommitTransaction") == std::string::npos);
  CHECK(column(url, "SELECT version_num FROM mt_sleepy_version") ==
        std::vector<std::string>{"sleepy_b"});
  CHECK(table_exists(url, "sleepy_second"));
  CHECK(column(url,
               "SELECT count(*) FROM mt_sleepy_version_history WHERE revision = 'sleepy_b'"
               " AND direction = 'upgrade'") == std::vector<std::string>{"1"});
}

TEST_CASE("a runner waiting for the migration lock names its holder and gives up after --lock-wait",
          "[db][safety]") {
  auto url = fresh_database("safety_lock_wait");
  column(url, "CREATE TABLE sleep_flag (); SELECT 1");
  auto holder = start_sleepy(url);
  bool sleeping = eventually(url, sleeping_in("safety_lock_wait"), 30);
  auto waiter = run_runner(SLEEPY_RUNNER, url, {"--lock-wait", "1s", "upgrade"});
  ::kill(holder.pid, SIGKILL);
  finish_process(holder, 30);
  INFO(waiter.out << waiter.err);
  REQUIRE(sleeping);
  CHECK(waiter.exit_code == 1);
  CHECK(waiter.err.find(
            "gave up waiting for the migration lock after 1.0 s (--lock-wait); it is held "
            "by pid ") != std::string::npos);
  CHECK(waiter.err.find("(mt_sleepy upgrade (lock since ") != std::string::npos);
  CHECK(waiter.out.empty());
  REQUIRE(eventually(url, runner_gone_from("safety_lock_wait"), 10));
  check_at_previous_revision(url);
}
