// What every command needs: the embedded migrations as a graph, the output
// settings, and (for commands that touch it) the database connection.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "database_session.hpp"
#include "migration_tools/core/planner.hpp"
#include "migration_tools/core/revision_graph.hpp"
#include "migration_tools/postgres/advisory_lock.hpp"
#include "migration_tools/postgres/bookkeeping.hpp"
#include "migration_tools/postgres/step_sql.hpp"
#include "migration_tools/runner.hpp"

namespace migration_tools::engine {

struct global_options {
  std::string url;
  std::string url_origin = "--url";  // what the messages call `url`
  std::string env_file;              // --env-file; else ./.env when it exists
  bool read_dotenv = true;           // false: no .env at all (the in-app migrator)
  bool server_notices = true;        // false: the server's NOTICEs are not printed
  bool no_dev_db = false;            // no development database in place of a missing URL
  std::string dev_url;               // the scratch server of autogenerate, diff and dump
  bool no_cache = false;             // replay the history even when its head state is kept
  std::string color = "auto";
  std::string format = "text";
  bool quiet = false;
  bool verbose = false;
  bool from_env = false;
  // With from_env: what the CMake cache's MIGRATE_MESSAGE and MIGRATE_TARGET
  // say (an IDE's CMake settings), used when the environment says nothing.
  std::string default_message;
  std::string default_target;
  std::string command;           // for application_name, e.g. "upgrade"
  std::string connect_timeout;   // libpq's connect_timeout of each attempt (empty: libpq's)
  std::string wait_for_db;       // retry connecting for this long (empty: once)
  std::string lock_wait = "5m";  // how long to wait for the migration lock
  // The migration lock: "session" (a session advisory lock on a connection
  // of its own), "transaction" (a transaction advisory lock in each
  // migration's transaction, for a pooler in transaction mode), or "auto":
  // transaction on port 6432 (PgBouncer's), session otherwise.
  std::string lock_mode = "auto";
  // PostgreSQL lock_timeout of migrations (empty: the lock guard's 3s; "0": none).
  std::string lock_timeout;
  // The lock guard: how many times a step that timed out waiting for a lock
  // is tried again (0: once only), and the pause before the first retry,
  // which doubles with each (up to 40 times it, with a jitter of a quarter).
  int lock_retries = 9;
  std::string lock_retry_delay = "500ms";
  // Before a migration takes an ACCESS EXCLUSIVE lock on an existing table:
  // wait up to this long for the transactions on it that are older than the
  // lock timeout to end (empty: only warn of them).
  std::string wait_for_idle;
  std::string statement_timeout;  // PostgreSQL statement_timeout of migrations
  // After each migration, wait up to this long for every streaming standby
  // in pg_stat_replication to replay it (empty: do not wait).
  std::string wait_for_replicas;
  // Schema-per-tenant: the tenant's schema, first on every migration's
  // search_path (the bookkeeping tables live in it too: runner_config.schema).
  std::string tenant_schema;
  // Where info() goes instead of stderr (the in-app migrator's log callback).
  std::function<void(const std::string&)> log;
  // How to reach the database; none in the runner that hands such commands
  // to the online one (database_session.hpp).
  database_opener open_database = nullptr;
  // The command surely connects: start before building the graph
  // (database_session::start_connecting).
  bool connect_early = false;
};

// "300", "300s", "5m", "1h", "250ms" -> milliseconds; throws usage_error.
std::chrono::milliseconds parse_duration(const std::string& text, const char* option);

class runner_context {
 public:
  runner_context(const runner_config& config, const embedded_catalog& catalog,
                 global_options options);

  const runner_config& config() const { return config_; }
  const embedded_catalog& catalog() const { return catalog_; }
  const global_options& options() const { return options_; }
  const revision_graph& graph() const { return graph_; }
  // --lock-timeout (default_lock_timeout when unset) and --statement-timeout;
  // throws usage_error when malformed.
  timeouts migration_timeouts() const;
  static constexpr int default_lock_timeout_ms = 3000;
  // The checksum new bookkeeping rows record: of meaning ("m1:...") for an
  // SQL migration, of the text for a C++ one.
  std::string checksum(node_id id) const;
  // The textual checksum of the embedded file (plain hex), which rows
  // written before checksums of meaning hold, and which keeps verifying.
  std::string text_checksum(node_id id) const;

  // The database, opened on first use; throws std::logic_error in a runner
  // that has none (a command that needs it must be handed over first).
  database_session& database();
  // Shorthands of database(), for the commands.
  pqxx::connection& connection() { return database().connection(); }
  // Uses the application's connection instead of connecting (the in-app
  // migrator): its session is reset to the runner's state, and the migration
  // lock is taken on it. The connection must outlive the context.
  void adopt_connection(pqxx::connection& conn) { database().adopt_connection(conn); }
  const std::string& database_url() { return database().url(); }
  bookkeeping& books() { return database().books(); }
  std::vector<std::string> version_rows() { return database().version_rows(); }
  applied_state current_state() { return state_from_version_rows(graph_, version_rows()); }
  // Takes the migration lock (waiting up to --lock-wait and saying who holds
  // it), then creates the bookkeeping tables if needed. Hold the result while
  // changing the database.
  std::unique_ptr<advisory_lock> lock_for_changes() { return database().lock_for_changes(); }
  // The migration lock in `tx`, through a pooler in transaction mode
  // (database_session::lock_in_transaction); nothing otherwise. The first
  // thing a transaction that changes the database does.
  void lock_in(pqxx::transaction_base& tx) { database().lock_in_transaction(tx); }
  // The SQL that puts the migrations' session back in the runner's state
  // (step_executor::set_session_defaults).
  std::string session_defaults() { return database().session_defaults(); }
  // A failure row written on a new connection, for when the migrations'
  // connection is stuck in a transaction (a C++ migration that called exit()).
  void record_failure_elsewhere(const migration& m, const std::string& checksum,
                                const std::string& message) {
    database().record_failure_elsewhere(m, checksum, message);
  }

  // Plans from these migrations instead of the embedded ones (`new` and
  // `merge` on a stale runner). Throws migration_file_error for an invalid
  // graph. checksum() is meaningless afterwards.
  void use_migrations(std::vector<migration> migrations);

  // Leaves the graph's memory to the end of the process: freeing ten thousand
  // migrations one allocation at a time costs more than a `heads` prints, and
  // the system takes the pages back at once. For the end of a command: the
  // context has no graph afterwards.
  void keep_graph_until_exit();

  // Messages to stderr, unless --quiet.
  void info(const std::string& message) const;
  // What an operator must see: to stderr, also with --quiet.
  void warn(const std::string& message) const;
  bool color() const { return color_; }
  std::string style(const std::string& text, const char* code) const;

 private:
  const runner_config& config_;
  const embedded_catalog& catalog_;
  global_options options_;
  revision_graph graph_;
  bool color_ = false;
  std::unique_ptr<database_session> database_;
};

// Where the development cluster lives: $MIGRATION_TOOLS_DEV_DB_DIR, else the
// build tree's directory baked in by add_migrations().
std::string dev_db_directory(const runner_config& config);

// `-q` aside, commands print results to stdout and progress to stderr.
std::string describe_revisions(const revision_graph& graph, const std::vector<node_id>& ids);

}  // namespace migration_tools::engine
