// Migrating from the application itself, as sqlx's `migrate!().run(&pool)`
// or Flyway's `flyway.migrate()` do: the migrations add_migrations(<name>)
// embeds, applied at start-up with the runner's guarantees (the migration
// lock, checksums of applied migrations, a failed transactional-false
// migration stopping everything, each migration in its own transaction).
//
//   #include <migrate/migrations.hpp>   // generated for add_migrations(migrate)
//   auto report = migrate::migrations().upgrade(database_url, {"head", log});
//
// Link the target <name>::migrations. Errors are exceptions derived from
// migration_tools::error: usage_error for bad input (an unknown target, an
// edited applied migration), database_error for the database's refusals.
#pragma once

#include <chrono>
#include <functional>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "migration_tools/core/diagnostic.hpp"
#include "migration_tools/embedded.hpp"
#include "migration_tools/runner.hpp"

namespace migration_tools {

struct pending_migration {
  std::string revision;
  std::string message;
  std::string path;
};

struct applied_migration {
  std::string revision;
  std::string message;
  std::string path;
  std::chrono::milliseconds duration{0};
};

struct upgrade_report {
  std::vector<std::string> from;           // the database's revisions before (empty: base)
  std::vector<std::string> to;             // and after
  std::vector<applied_migration> applied;  // in the order they ran
  std::chrono::milliseconds duration{0};
};

struct upgrade_options {
  std::string target = "head";  // any upgrade target of the runner: head, heads, <rev>, +N
  // Progress, one line at a time: which database, waiting for the lock, each
  // migration before it runs. None: quiet.
  std::function<void(const std::string&)> log;
  std::string lock_wait = "5m";  // how long to wait for another migrator's lock
  // The lock guard, as in the runner: each migration waits at most
  // lock_timeout for a lock ("": 3s; "0": no limit), and one that gave up is
  // tried again lock_retries times, after a pause from lock_retry_delay that
  // doubles, nothing held in between; each timeout is logged with who blocked.
  std::string lock_timeout;
  int lock_retries = 9;
  std::string lock_retry_delay = "500ms";
  std::string statement_timeout;  // PostgreSQL statement_timeout of each migration
};

// One database of upgrade_all(): what it did, or why it failed.
struct target_upgrade {
  std::string target;  // the connection without its password
  bool ok = false;
  upgrade_report report;  // when ok
  std::string error;      // when not
};

struct fleet_upgrade_options {
  upgrade_options upgrade;  // for each database; its log lines are prefixed with the target
  int jobs = 0;             // at most this many at once (0: the cores, at most 8)
  bool fail_fast = false;   // start no other database after one failed
  int canary = 0;           // the first K alone, the rest only when they all succeeded
  // Called as each database finishes, one call at a time (from worker threads).
  std::function<void(const target_upgrade&)> on_target;
};

class migrator {
 public:
  // The migrations of one add_migrations() call (<name>::migrations() gives it).
  migrator(const runner_config& config, const embedded_catalog& catalog)
      : config_(config), catalog_(catalog) {}

  // What upgrade("heads") would apply, in order. Reads only.
  std::vector<pending_migration> pending(const std::string& url) const;
  std::vector<pending_migration> pending(pqxx::connection& connection) const;

  // Applies what `options.target` needs. Given a URL, the lock is held on a
  // connection of its own; given the application's connection, on that one,
  // whose session settings are reset (RESET ALL) as before every migration.
  upgrade_report upgrade(const std::string& url, const upgrade_options& options = {}) const;
  upgrade_report upgrade(pqxx::connection& connection, const upgrade_options& options = {}) const;

  // Upgrades every database of `urls`, each exactly as upgrade(url) would,
  // under its own lock, a bounded number at a time; a failure of one does
  // not stop the others (unless fail_fast). Returns one report per URL, in
  // their order; throws only for bad options.
  std::vector<target_upgrade> upgrade_all(const std::vector<std::string>& urls,
                                          const fleet_upgrade_options& options = {}) const;

 private:
  const runner_config& config_;
  const embedded_catalog& catalog_;
};

}  // namespace migration_tools
