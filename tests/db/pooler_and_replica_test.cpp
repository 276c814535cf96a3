// Through PgBouncer in transaction mode, beside a streaming standby, and
// across a failover (issue 36), with the real servers: a PgBouncer in front
// of the test cluster, a second cluster with a standby made by pg_basebackup.
#include <catch2/catch.hpp>
#include <chrono>
#include <thread>

#include "fleet_servers.hpp"
#include "migration_tools/postgres/advisory_lock.hpp"
#include "test_database.hpp"

using namespace migration_tools::test;
using Catch::Matchers::Contains;

namespace {

std::string test_cluster_socket() {
  return first_line_of(
      run_process({PG_CLUSTER_SCRIPT, "socket", std::getenv("MIGRATION_TOOLS_TEST_PG_DIR")}).out);
}

// Polls `done` for up to `seconds`.
bool eventually(const std::function<bool()>& done, int seconds) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (std::chrono::steady_clock::now() < deadline) {
    try {
      if (done()) return true;
    } catch (const std::exception&) {
      // not yet (a table that does not exist yet, a server starting)
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

}  // namespace

TEST_CASE("16 runners through PgBouncer in transaction mode apply each migration exactly once") {
  auto direct = fresh_database("fleet_pooled");
  pgbouncer bouncer("bouncer", test_cluster_socket());
  auto pooled = bouncer.url("fleet_pooled");
  std::vector<running_process> runners;
  // Port 6432 is PgBouncer's: the lock is taken per transaction unasked.
  for (int i = 0; i < 16; ++i)
    runners.push_back(start_process({FLEET_RUNNER, "--url", pooled, "upgrade"}));
  int succeeded = 0;
  for (auto& r : runners) {
    auto result = finish_process(r, 120);
    INFO(result.out << result.err);
    CHECK(result.exit_code == 0);
    succeeded += result.exit_code == 0;
  }
  // Named prepared statements would fail here (SQLSTATE 26000: 16 clients
  // share 4 server connections); the session lock would not serialise them.
  CHECK(succeeded == 16);
  CHECK(version_of(direct) == fleet_head);
  CHECK(upgrade_counts(direct) == fleet_each_once);
}

TEST_CASE(
    "through a pooler the runner names who holds the migration lock, and refuses a "
    "migration outside a transaction") {
  auto direct = fresh_database("fleet_pooled_held");
  pgbouncer bouncer("bouncer_held", test_cluster_socket());
  auto pooled = bouncer.url("fleet_pooled_held");
  {
    pqxx::connection holder(direct);
    pqxx::nontransaction tx(holder);
    tx.exec("SET application_name = 'the-other-deploy'");
    tx.exec_params("SELECT pg_advisory_lock($1)",
                   migration_tools::advisory_lock::key_for("\"public\".\"mt_fleet_version\""));
    auto r = run_process(
        {FLEET_RUNNER, "--url", pooled, "--lock", "transaction", "--lock-wait", "1s", "upgrade"});
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.err,
               Contains("gave up waiting for the migration lock") && Contains("the-other-deploy"));
  }
  CHECK_FALSE(table_exists(direct, "accounts"));

  auto outside = run_process({FLEET_OUTSIDE_RUNNER, "--url", pooled, "upgrade"});
  CHECK(outside.exit_code == 2);
  CHECK_THAT(outside.err, Contains("001_index.sql:4: error:") && Contains("transactional false") &&
                              Contains("--lock session"));
  CHECK_FALSE(table_exists(direct, "things"));
}

TEST_CASE(
    "waiting for replicas: --wait-for-replicas waits for a standby whose replay is paused, times "
    "out naming "
    "the lag, and goes on once it replays") {
  extra_cluster primary("replica_primary");
  auto url = primary.url("fleet_replica");
  extra_cluster standby("replica_standby", &primary);
  auto standby_admin = standby.url_of_existing("postgres");
  execute(standby_admin, "SELECT pg_wal_replay_pause()");

  auto paused = run_process({FLEET_RUNNER, "--url", url, "--wait-for-replicas", "1s", "upgrade"});
  INFO(paused.out << paused.err);
  CHECK(paused.exit_code == 1);
  CHECK_THAT(paused.err, Contains("not every standby had replayed it after 1s") &&
                             Contains("bytes behind") && Contains("walreceiver"));
  // The first migration is applied on the primary; the others waited.
  CHECK(version_of(url) == "fleet_1");

  execute(standby_admin, "SELECT pg_wal_replay_resume()");
  auto resumed = run_process({FLEET_RUNNER, "--url", url, "--wait-for-replicas", "30s", "upgrade"});
  INFO(resumed.out << resumed.err);
  CHECK(resumed.exit_code == 0);
  CHECK_THAT(resumed.err, Contains("every standby replayed revision 'fleet_4'"));
  // Waited for: the standby's readers see the new schema at once.
  CHECK(version_of(standby.url_of_existing("fleet_replica")) == fleet_head);
}

TEST_CASE(
    "a failover in the middle of a fleet run stops it with a clear message, and a rerun "
    "against the promoted standby reaches head with each migration applied once") {
  extra_cluster primary("failover_primary");
  auto a = primary.url("failover_a");
  auto b = primary.url("failover_b");
  extra_cluster standby("failover_standby", &primary);
  // fleet_3 sleeps on `a` while this table exists: the failover happens then.
  execute(a, "CREATE TABLE hold_here ()");
  auto run = start_process({FLEET_RUNNER, "--url", a, "--url", b, "--jobs", "2", "upgrade"});
  REQUIRE(
      eventually([&] { return version_of(a) == "fleet_2" && version_of(b) == fleet_head; }, 30));
  // Wait until the standby has what the primary committed, then fail over.
  REQUIRE(eventually(
      [&] { return version_of(standby.url_of_existing("failover_b")) == fleet_head; }, 30));
  primary.act("halt");
  standby.act("promote");
  auto stopped = finish_process(run, 60);
  INFO(stopped.out << stopped.err);
  CHECK(stopped.exit_code == 1);
  CHECK_THAT(stopped.out, Contains("1 ok, 1 failed"));
  CHECK_THAT(stopped.out + stopped.err, Contains("shut down") || Contains("lost the connection"));

  auto new_a = standby.url_of_existing("failover_a");
  auto new_b = standby.url_of_existing("failover_b");
  REQUIRE(eventually([&] { return column(new_a, "SELECT NOT pg_is_in_recovery()").front() == "t"; },
                     30));
  execute(new_a, "DROP TABLE hold_here");
  auto rerun = run_process({FLEET_RUNNER, "--url", new_a, "--url", new_b, "upgrade"});
  INFO(rerun.out << rerun.err);
  CHECK(rerun.exit_code == 0);
  for (const auto& url : {new_a, new_b}) {
    CHECK(version_of(url) == fleet_head);
    CHECK(upgrade_counts(url) == fleet_each_once);
  }
}
