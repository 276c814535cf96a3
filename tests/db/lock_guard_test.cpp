// The lock guard (issue 35) under real traffic: pgbench updates and reads a
// table while a long transaction holds a lock on it, and a migration alters
// it. Guarded, the migration gives up its place in the lock queue every
// lock_timeout, so the traffic never waits much longer than that; unguarded,
// the traffic queues behind the migration until the long transaction ends.
#include <dirent.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <pqxx/pqxx>
#include <sstream>
#include <thread>

#include "migration_tools/postgres/step_watch.hpp"
#include "runners.hpp"
#include "test_database.hpp"

using namespace migration_tools::test;
using Catch::Matchers::Contains;

namespace {

process_result lock_guard(const std::string& url, std::vector<std::string> args) {
  return run_runner(LOCK_GUARD_RUNNER, url, std::move(args));
}

// pgbench's transactions and their latencies, read from its --log files.
struct traffic {
  std::vector<double> latencies_ms;
  double worst_ms() const {
    double worst = 0;
    for (double l : latencies_ms) worst = std::max(worst, l);
    return worst;
  }
};

class pgbench_run {
 public:
  // Starts pgbench: 4 clients updating and reading random accounts for
  // `seconds`, each transaction logged with its latency.
  pgbench_run(const std::string& url, int seconds, const std::string& name)
      : dir_(std::string(TEST_WORK_DIR) + "/" + name) {
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    std::ofstream(dir_ + "/script.sql")
        << "\\set id random(1, 1000)\n"
           "UPDATE accounts SET balance = balance + 1 WHERE id = :id;\n"
           "SELECT balance FROM accounts WHERE id = :id;\n";
    child_ =
        start_process({PGBENCH_PROGRAM, "-n", "-c", "4", "-j", "2", "-T", std::to_string(seconds),
                       "-f", dir_ + "/script.sql", "-l", "--log-prefix=" + dir_ + "/log", url});
  }

  traffic finish() {
    auto r = finish_process(child_, 120);
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    traffic t;
    DIR* d = opendir(dir_.c_str());
    REQUIRE(d != nullptr);
    while (dirent* e = readdir(d)) {
      std::string name = e->d_name;
      if (name.rfind("log.", 0) != 0) continue;
      std::ifstream in(dir_ + "/" + name);
      std::string line;
      // client_id transaction_no latency_us script_no epoch_s epoch_us
      while (std::getline(in, line)) {
        std::istringstream fields(line);
        long client = 0, number = 0;
        double latency_us = 0;
        if (fields >> client >> number >> latency_us) t.latencies_ms.push_back(latency_us / 1000);
      }
    }
    closedir(d);
    return t;
  }

 private:
  std::string dir_;
  running_process child_;
};

// A session that reads the table in a transaction it keeps open: its ACCESS
// SHARE lock lets the traffic through but not an ALTER TABLE. One that
// writes (ROW EXCLUSIVE) keeps a CREATE INDEX CONCURRENTLY waiting too.
struct long_transaction {
  explicit long_transaction(const std::string& url,
                            const std::string& statement = "SELECT count(*) FROM accounts")
      : conn(url + (url.find('?') == std::string::npos ? "?" : "&") +
             "application_name=long-report"),
        tx(conn) {
    tx.exec(statement);
  }
  pqxx::connection conn;
  pqxx::work tx;
};

}  // namespace

TEST_CASE("lock guard: the traffic keeps flowing while a migration waits, the blocker is named",
          "[db][lock_guard]") {
  auto url = fresh_database("lock_guard_on");
  REQUIRE(lock_guard(url, {"upgrade", "lg_a"}).exit_code == 0);
  pgbench_run bench(url, 8, "lock_guard_on");
  std::this_thread::sleep_for(std::chrono::seconds(1));
  auto holder = std::make_unique<long_transaction>(url);
  auto migration =
      start_process({LOCK_GUARD_RUNNER, "--url", url, "--color", "never", "--lock-timeout", "300ms",
                     "--lock-retries", "30", "--lock-retry-delay", "200ms", "upgrade", "lg_b"});
  // The long transaction ends 3 s later; the migration gets through after it.
  std::this_thread::sleep_for(std::chrono::seconds(3));
  holder->tx.commit();
  auto r = finish_process(migration, 60);
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.err, Contains("warning: revision 'lg_b'") &&
                        Contains("gave up waiting for a lock") && Contains("blocked by pid ") &&
                        Contains("application 'long-report'") && Contains("idle in transaction") &&
                        Contains("SELECT count(*) FROM accounts") && Contains("trying again in"));
  CHECK(column(url, "SELECT version_num FROM mt_lock_guard_version") ==
        std::vector<std::string>{"lg_b"});
  // The retried timeouts are no failures of the migration.
  CHECK(column(url,
               "SELECT count(*) FROM mt_lock_guard_version_history WHERE direction = "
               "'failure'") == std::vector<std::string>{"0"});
  auto t = bench.finish();
  INFO("transactions: " << t.latencies_ms.size() << ", worst " << t.worst_ms() << " ms");
  REQUIRE(t.latencies_ms.size() > 100);
  // No query waited much longer than one lock_timeout (300 ms) behind the
  // migration, though the long transaction blocked it for 3 s.
  CHECK(t.worst_ms() < 1500);
}

TEST_CASE("lock guard: without it the traffic queues behind the waiting migration",
          "[db][lock_guard]") {
  // The scenario is real: the same run with --lock-retries 0 --lock-timeout 0.
  auto url = fresh_database("lock_guard_off");
  REQUIRE(lock_guard(url, {"upgrade", "lg_a"}).exit_code == 0);
  pgbench_run bench(url, 8, "lock_guard_off");
  std::this_thread::sleep_for(std::chrono::seconds(1));
  auto holder = std::make_unique<long_transaction>(url);
  auto migration = start_process({LOCK_GUARD_RUNNER, "--url", url, "--color", "never",
                                  "--lock-timeout", "0", "--lock-retries", "0", "upgrade", "lg_b"});
  std::this_thread::sleep_for(std::chrono::seconds(3));
  holder->tx.commit();
  auto r = finish_process(migration, 60);
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.err, !Contains("gave up waiting"));
  auto t = bench.finish();
  INFO("transactions: " << t.latencies_ms.size() << ", worst " << t.worst_ms() << " ms");
  // Every query on the table queued behind the migration until the long
  // transaction ended, about 3 s.
  CHECK(t.worst_ms() > 2000);
}

TEST_CASE("lock guard: retries exhausted, exit 1, nothing half-done, the blocker named",
          "[db][lock_guard]") {
  auto url = fresh_database("lock_guard_exhausted");
  REQUIRE(lock_guard(url, {"upgrade", "lg_a"}).exit_code == 0);
  long_transaction holder(url);
  auto r = lock_guard(url, {"--lock-timeout", "200ms", "--lock-retries", "2", "--lock-retry-delay",
                            "100ms", "upgrade", "lg_b"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Contains("(try 1 of 3)") && Contains("(try 3 of 3)") &&
                        Contains("that was the last try") &&
                        Contains("002_add_note.sql:6: error: ") && Contains("(SQLSTATE 55P03)") &&
                        Contains("the lock guard gave up after 3 tries") &&
                        Contains("application 'long-report'"));
  holder.tx.abort();
  CHECK(column(url, "SELECT version_num FROM mt_lock_guard_version") ==
        std::vector<std::string>{"lg_a"});
  CHECK(column(url,
               "SELECT count(*) FROM pg_catalog.pg_attribute WHERE attrelid = "
               "'accounts'::regclass AND attname = 'note'") == std::vector<std::string>{"0"});
  // The last try is the one failure the history records.
  CHECK(column(url,
               "SELECT count(*) FROM mt_lock_guard_version_history WHERE direction = "
               "'failure' AND revision = 'lg_b'") == std::vector<std::string>{"1"});
}

TEST_CASE("lock guard: --format json reports each timeout as a JSON line", "[db][lock_guard]") {
  auto url = fresh_database("lock_guard_json");
  REQUIRE(lock_guard(url, {"upgrade", "lg_a"}).exit_code == 0);
  long_transaction holder(url);
  auto r = lock_guard(url, {"--format", "json", "--lock-timeout", "200ms", "--lock-retries", "1",
                            "--lock-retry-delay", "100ms", "upgrade", "lg_b"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Contains("\"event\":\"lock_timeout\"") && Contains("\"attempt\":1") &&
                        Contains("\"tries\":2") && Contains("\"application\":\"long-report\"") &&
                        Contains("\"state\":\"idle in transaction\""));
}

namespace {

// Whether accounts_note_key exists, and is valid: "", "valid" or "invalid".
std::string note_index(const std::string& url) {
  auto rows = column(url,
                     "SELECT CASE WHEN i.indisvalid THEN 'valid' ELSE 'invalid' END FROM "
                     "pg_catalog.pg_index i WHERE i.indexrelid = "
                     "pg_catalog.to_regclass('accounts_note_key')");
  return rows.empty() ? "" : rows[0];
}

const char* writes = "UPDATE accounts SET balance = balance WHERE id = 1";

template <typename Condition>
bool wait_until(Condition done, int seconds = 20) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return done();
}

}  // namespace

TEST_CASE(
    "lock guard: the INVALID index of a killed CREATE INDEX CONCURRENTLY is rebuilt on "
    "--resume",
    "[db][lock_guard]") {
  auto url = fresh_database("lock_guard_invalid_resume");
  REQUIRE(lock_guard(url, {"upgrade", "lg_b"}).exit_code == 0);
  // The build waits for this writing transaction, its index already in the
  // catalog (INVALID), when its backend is killed.
  auto holder = std::make_unique<long_transaction>(url, writes);
  auto migration = start_process({LOCK_GUARD_RUNNER, "--url", url, "--color", "never",
                                  "--lock-timeout", "0", "upgrade", "lg_c"});
  REQUIRE(wait_until([&] { return note_index(url) == "invalid"; }));
  column(
      url,
      "SELECT pg_catalog.pg_terminate_backend(pid) FROM pg_catalog.pg_stat_activity WHERE "
      "query LIKE 'CREATE UNIQUE INDEX CONCURRENTLY%' AND datname = pg_catalog.current_database()");
  auto killed = finish_process(migration, 60);
  INFO(killed.out << killed.err);
  CHECK(killed.exit_code == 1);
  holder->tx.commit();
  CHECK(note_index(url) == "invalid");

  auto r = lock_guard(url, {"upgrade", "lg_c", "--resume"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.err, Contains("the index accounts_note_key is INVALID, left by the statement's "
                             "earlier try: dropping it CONCURRENTLY to build it again"));
  CHECK(note_index(url) == "valid");
  CHECK(column(url, "SELECT version_num FROM mt_lock_guard_version") ==
        std::vector<std::string>{"lg_c"});
}

TEST_CASE(
    "lock guard: a CREATE INDEX CONCURRENTLY that timed out is retried after its INVALID "
    "index is dropped",
    "[db][lock_guard]") {
  auto url = fresh_database("lock_guard_invalid_retry");
  REQUIRE(lock_guard(url, {"upgrade", "lg_b"}).exit_code == 0);
  auto holder = std::make_unique<long_transaction>(url, writes);
  auto migration =
      start_process({LOCK_GUARD_RUNNER, "--url", url, "--color", "never", "--lock-timeout", "300ms",
                     "--lock-retries", "30", "--lock-retry-delay", "200ms", "upgrade", "lg_c"});
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  holder->tx.commit();
  auto r = finish_process(migration, 60);
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.err, Contains("warning: revision 'lg_c'") &&
                        Contains("gave up waiting for a lock") &&
                        Contains("the index accounts_note_key is INVALID"));
  CHECK(note_index(url) == "valid");
  CHECK(column(url, "SELECT version_num FROM mt_lock_guard_version") ==
        std::vector<std::string>{"lg_c"});
}

TEST_CASE("progress: a statement that runs long shows a line every few seconds, none with -q",
          "[db][lock_guard]") {
  auto url = fresh_database("lock_guard_progress");
  REQUIRE(lock_guard(url, {"upgrade", "lg_c"}).exit_code == 0);
  // Not a terminal here: a line after about 2 s, then every 5 s.
  auto r = lock_guard(url, {"upgrade"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.err, Contains("  still running revision 'lg_d': running (2."));
  REQUIRE(lock_guard(url, {"downgrade", "lg_c"}).exit_code == 0);
  auto quiet = lock_guard(url, {"-q", "upgrade"});
  INFO(quiet.out << quiet.err);
  CHECK(quiet.exit_code == 0);
  CHECK_THAT(quiet.err, !Contains("still running"));
}

TEST_CASE("progress: what PostgreSQL reports of an index build reads as phase and percentage",
          "[db][lock_guard]") {
  migration_tools::step_progress p;
  p.elapsed = std::chrono::milliseconds(12500);
  p.command = "CREATE INDEX CONCURRENTLY";
  p.phase = "building index: scanning table";
  p.percent = 41.6;
  CHECK(migration_tools::describe_progress(p) ==
        "CREATE INDEX CONCURRENTLY: building index: scanning table, 42% (12.5 s)");
  migration_tools::step_progress plain;
  plain.elapsed = std::chrono::milliseconds(4000);
  CHECK(migration_tools::describe_progress(plain) == "running (4.0 s)");
}

TEST_CASE(
    "lock guard: an old transaction on a table the migration locks is named first, and "
    "--wait-for-idle waits for it to end",
    "[db][lock_guard]") {
  auto url = fresh_database("lock_guard_idle");
  REQUIRE(lock_guard(url, {"upgrade", "lg_a"}).exit_code == 0);
  auto holder = std::make_unique<long_transaction>(url);
  // Older than the lock timeout (300 ms) by the time the runner looks.
  std::this_thread::sleep_for(std::chrono::milliseconds(600));
  auto migration =
      start_process({LOCK_GUARD_RUNNER, "--url", url, "--color", "never", "--lock-timeout", "300ms",
                     "--wait-for-idle", "20s", "upgrade", "lg_b"});
  std::this_thread::sleep_for(std::chrono::seconds(2));
  holder->tx.commit();
  auto r = finish_process(migration, 60);
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.err, Contains("warning: revision 'lg_b' (tests/db/fixtures/lock_guard/"
                             "002_add_note.sql) locks table accounts, which a transaction open "
                             "longer than the lock timeout holds: pid ") &&
                        Contains("application 'long-report'") &&
                        Contains("waiting up to 20s for it to end (--wait-for-idle)") &&
                        Contains("the tables are free now"));
  // It waited before taking its lock, so it never timed out in the queue.
  CHECK_THAT(r.err, !Contains("gave up waiting"));
  CHECK(column(url, "SELECT version_num FROM mt_lock_guard_version") ==
        std::vector<std::string>{"lg_b"});
}

TEST_CASE(
    "lock guard: CREATE INDEX CONCURRENTLY waits for old transactions past the default lock "
    "timeout, blocking no one",
    "[db][lock_guard]") {
  auto url = fresh_database("lock_guard_concurrent_waits");
  REQUIRE(lock_guard(url, {"upgrade", "lg_b"}).exit_code == 0);
  // A writer keeps the build waiting for 4 s, past the default 3 s.
  auto holder = std::make_unique<long_transaction>(url, writes);
  auto migration =
      start_process({LOCK_GUARD_RUNNER, "--url", url, "--color", "never", "upgrade", "lg_c"});
  std::this_thread::sleep_for(std::chrono::seconds(4));
  // Meanwhile the table takes writes: the build blocks no one.
  CHECK(column(url, "UPDATE accounts SET balance = balance + 1 WHERE id = 2 RETURNING id") ==
        std::vector<std::string>{"2"});
  holder->tx.commit();
  auto r = finish_process(migration, 60);
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.err, !Contains("gave up waiting"));
  CHECK(note_index(url) == "valid");
}

TEST_CASE(
    "lock guard: offline scripts run CONCURRENTLY index statements without the default "
    "lock_timeout, as the runner does",
    "[db][lock_guard]") {
  auto r = run_process({LOCK_GUARD_RUNNER, "upgrade", "lg_b:lg_c", "--sql"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.out, Contains("SET lock_timeout = 3000;\n"));
  CHECK_THAT(r.out,
             Contains("SET lock_timeout = 0;\nCREATE UNIQUE INDEX CONCURRENTLY "
                      "accounts_note_key ON accounts (note)\n;\nSET lock_timeout = 3000;\n"));
  // A timeout asked for applies to it too.
  auto asked =
      run_process({LOCK_GUARD_RUNNER, "--lock-timeout", "1s", "upgrade", "lg_b:lg_c", "--sql"});
  INFO(asked.err);
  REQUIRE(asked.exit_code == 0);
  CHECK_THAT(asked.out, Contains("SET lock_timeout = 1000;\n"));
  CHECK_THAT(asked.out, !Contains("SET lock_timeout = 0;"));
}

TEST_CASE(
    "lock guard: the old transactions a DROP INDEX would wait for are those on its table, "
    "also when they hold no lock on the index",
    "[db][lock_guard]") {
  auto url = fresh_database("lock_guard_index_table");
  REQUIRE(lock_guard(url, {"upgrade", "lg_c"}).exit_code == 0);
  auto index = column(url,
                      "SELECT indexrelid::regclass::text FROM pg_index "
                      "WHERE indrelid = 'accounts'::regclass AND NOT indisprimary");
  REQUIRE(index.size() == 1);
  // A lock on the table alone (a query's planning would lock its indexes too).
  long_transaction holder(url, "LOCK TABLE accounts IN ACCESS SHARE MODE");
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  pqxx::connection observer(url);
  auto by_index =
      migration_tools::old_transactions_on(observer, index[0], std::chrono::milliseconds(100));
  REQUIRE(by_index.size() == 1);
  CHECK(by_index[0].application == "long-report");
  CHECK(migration_tools::old_transactions_on(observer, "accounts", std::chrono::milliseconds(100))
            .size() == 1);
  CHECK(migration_tools::old_transactions_on(observer, "no_such_table",
                                             std::chrono::milliseconds(100))
            .empty());
}
