// The runner's database on libpqxx: the migrations' connection, the lock's
// own connection, the bookkeeping tables. Linked by the online runner and the
// in-app migrator only (database_session.hpp says why).
#include <unistd.h>

#include <algorithm>
#include <condition_variable>
#include <cstdlib>
#include <ctime>
#include <exception>
#include <mutex>
#include <pqxx/pqxx>
#include <system_error>
#include <thread>

#include "database_session.hpp"
#include "database_settings.hpp"
#include "migration_tools/postgres/advisory_lock.hpp"
#include "migration_tools/postgres/bookkeeping.hpp"
#include "migration_tools/postgres/bookkeeping_sql.hpp"
#include "migration_tools/postgres/connection_string.hpp"
#include "migration_tools/postgres/dev_database.hpp"
#include "migration_tools/postgres/errors.hpp"
#include "migration_tools/postgres/notice_printer.hpp"
#include "runner_context.hpp"

namespace migration_tools::engine {

namespace {

// A connection being made on a thread of its own (start_connecting). The
// thread is detached and shares this with the session, so that a command
// that ends before it needs the connection (a stale runner's refusal, a
// usage error) does not wait for a server that is slow to answer.
struct pending_connection {
  std::mutex mutex;
  std::condition_variable finished;
  bool done = false;                             // under mutex
  std::unique_ptr<pqxx::connection> connection;  // set before done
  std::exception_ptr error;                      // or this
};

// The message of a connection attempt that failed.
std::string cannot_connect(const std::string& url, const pqxx::broken_connection& e) {
  return "cannot connect to " + describe_connection(url) + ": " +
         connection_failure_message(url, postgres_message(e.what()));
}

class postgres_session final : public database_session {
 public:
  explicit postgres_session(runner_context& ctx) : ctx_(ctx) {}
  ~postgres_session() override {
    if (pending_) note_connection_left_in_flight();
  }
  postgres_session(const postgres_session&) = delete;
  postgres_session& operator=(const postgres_session&) = delete;

  void start_connecting() override;
  pqxx::connection& connection() override;
  void adopt_connection(pqxx::connection& conn) override { external_ = &conn; }
  const std::string& url() override {
    connection();
    return url_;
  }
  bookkeeping& books() override;
  std::vector<std::string> version_rows() override;
  std::unique_ptr<advisory_lock> lock_for_changes() override;
  bool locks_per_transaction() override {
    if (external_) return false;
    if (!resolved_) resolve(read_database_settings(ctx_.config(), ctx_.options()));
    return per_transaction_;
  }
  void lock_in_transaction(pqxx::transaction_base& tx) override;
  std::string session_defaults() const override;
  pqxx::connection* observer_connection() override { return lock_connection_.get(); }
  void record_failure_elsewhere(const migration& m, const std::string& checksum,
                                const std::string& message) override;

 private:
  // The URL, said once ("using database ..."), and the environment libpq
  // reads for it.
  void resolve(const database_settings& settings);
  std::string resolve_url(const database_settings& settings);
  void start_thread(const std::shared_ptr<pending_connection>& pending);
  // PGAPPNAME and PGCONNECT_TIMEOUT, set on the command's thread: setenv
  // is not safe beside another thread's getenv.
  void prepare_environment() const;
  std::unique_ptr<pqxx::connection> connect(const std::string& url) const;
  std::unique_ptr<pqxx::connection> take_pending();
  bookkeeping_names names() const { return {ctx_.config().schema, ctx_.config().version_table}; }

  runner_context& ctx_;
  std::string url_;
  std::string application_name_;
  std::unique_ptr<pqxx::connection> connection_;
  pqxx::connection* external_ = nullptr;  // adopt_connection()
  bool external_ready_ = false;
  std::shared_ptr<pending_connection> pending_;  // start_connecting()
  bool resolved_ = false;                        // url_ and application_name_ are set
  bool per_transaction_ = false;                 // --lock transaction (or detected)
  std::unique_ptr<notice_printer> notices_;      // of connection_; destroyed before it
  // Holds the migration lock, apart from the migrations' connection.
  std::unique_ptr<pqxx::connection> lock_connection_;
  std::unique_ptr<bookkeeping> books_;
};

std::string postgres_session::resolve_url(const database_settings& settings) {
  const runner_config& config = ctx_.config();
  if (settings.source) {
    for (const auto& note : settings.source->notes) ctx_.info("note: " + note);
    ctx_.info("using database " + describe_connection(settings.source->url) + " (" +
              settings.source->origin + ")");
    return settings.source->url;
  }
  if (!settings.dev_db_refusal.empty()) throw usage_error(no_database_message(settings));
  dev_database dev(dev_db_directory(config), config.name);
  std::string url = dev.ensure_running();
  ctx_.info("using the development database " + describe_connection(url) + " (cluster in " +
            dev.directory() + "; stop it with '" + config.name + " dev-db stop')");
  return url;
}

void postgres_session::start_connecting() {
  if (connection_ || external_ || pending_) return;
  const global_options& options = ctx_.options();
  // --wait-for-db says what it waits for as it goes: from the command's
  // thread, in order with the rest.
  if (!options.wait_for_db.empty()) return;
  database_settings settings = read_database_settings(ctx_.config(), options);
  // The development database may have to be started first, which a command
  // that then refuses (a stale runner) must not have done.
  if (!settings.source) return;
  resolve(settings);
  auto pending = std::make_shared<pending_connection>();
  try {
    start_thread(pending);
  } catch (const std::system_error&) {
    return;  // no thread to be had: connection() connects on this one
  }
  pending_ = pending;
}

void postgres_session::start_thread(const std::shared_ptr<pending_connection>& pending) {
  std::thread([pending, url = url_, defaults = session_defaults()] {
    try {
      try {
        auto conn = std::make_unique<pqxx::connection>(url);
        pqxx::nontransaction(*conn).exec(defaults);
        pending->connection = std::move(conn);
      } catch (const pqxx::broken_connection& e) {
        throw database_error(cannot_connect(url, e));
      }
    } catch (...) {
      pending->error = std::current_exception();
    }
    std::lock_guard<std::mutex> lock(pending->mutex);
    pending->done = true;
    pending->finished.notify_one();
  }).detach();
}

std::unique_ptr<pqxx::connection> postgres_session::take_pending() {
  auto pending = std::move(pending_);
  // Sleeps rather than spins: the server takes 10 ms and more to start a
  // backend, and needs a processor for it.
  std::unique_lock<std::mutex> lock(pending->mutex);
  pending->finished.wait(lock, [&] { return pending->done; });
  if (pending->error) std::rethrow_exception(pending->error);
  return std::move(pending->connection);
}

pqxx::connection& postgres_session::connection() {
  if (external_) {
    // The application's own connection: put in the runner's session state
    // once, as every migration's session is.
    if (!external_ready_) {
      pqxx::nontransaction(*external_).exec(session_defaults());
      external_ready_ = true;
    }
    return *external_;
  }
  if (!connection_ && pending_) {
    connection_ = take_pending();
    notices_ = std::make_unique<notice_printer>(*connection_, ctx_.options().server_notices);
  }
  if (!connection_) {
    if (!resolved_) resolve(read_database_settings(ctx_.config(), ctx_.options()));
    connection_ = connect(url_);
    notices_ = std::make_unique<notice_printer>(*connection_, ctx_.options().server_notices);
    pqxx::nontransaction(*connection_).exec(session_defaults());
  }
  return *connection_;
}

void postgres_session::resolve(const database_settings& settings) {
  url_ = resolve_url(settings);
  const std::string& mode = ctx_.options().lock_mode;
  if (mode == "transaction") {
    per_transaction_ = true;
  } else if (mode == "auto") {
    // PgBouncer's default port: a pooler that may be in transaction mode.
    std::string port = connection_parameter(url_, "port");
    if (port.empty() && std::getenv("PGPORT")) port = std::getenv("PGPORT");
    per_transaction_ = port == "6432";
    if (per_transaction_)
      ctx_.info(
          "note: port 6432 is PgBouncer's: the migration lock is taken in each "
          "migration's transaction (--lock transaction; --lock session if this is no "
          "pooler in transaction mode)");
  } else if (mode != "session") {
    throw usage_error("--lock must be session, transaction or auto, not '" + mode + "'");
  }
  application_name_ = std::string(ctx_.config().name) + " " + ctx_.options().command;
  prepare_environment();
  resolved_ = true;
}

void postgres_session::prepare_environment() const {
  prepare_libpq_environment(application_name_, ctx_.options().connect_timeout);
}

std::unique_ptr<pqxx::connection> postgres_session::connect(const std::string& url) const {
  const global_options& options = ctx_.options();
  // --wait-for-db: a server started beside the application (a container)
  // may not accept connections yet; try again until the deadline.
  auto patience = options.wait_for_db.empty()
                      ? std::chrono::milliseconds(0)
                      : parse_duration(options.wait_for_db, "--wait-for-db");
  auto deadline = std::chrono::steady_clock::now() + patience;
  auto pause = std::chrono::milliseconds(100);
  for (int attempt = 1;; ++attempt) {
    try {
      // The whole budget, also against a server that accepts the connection
      // and then says nothing: what is left of it is libpq's connect_timeout
      // (whole seconds, at least 2), unless --connect-timeout or the URL
      // says otherwise.
      if (!options.wait_for_db.empty() && options.connect_timeout.empty()) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                        deadline - std::chrono::steady_clock::now())
                        .count();
        ::setenv("PGCONNECT_TIMEOUT",
                 std::to_string(std::max<long long>(2, (left + 999) / 1000)).c_str(), 1);
      }
      return std::make_unique<pqxx::connection>(url);
    } catch (const pqxx::broken_connection& e) {
      if (std::chrono::steady_clock::now() + pause >= deadline) {
        throw database_error(cannot_connect(url, e) +
                             (attempt > 1 ? " (still, after " + std::to_string(attempt) +
                                                " attempts within --wait-for-db " +
                                                options.wait_for_db + ")"
                                          : ""));
      }
      if (attempt == 1)
        ctx_.info("waiting up to " + options.wait_for_db + " for " + describe_connection(url) +
                  " to accept connections: " +
                  connection_failure_message(url, postgres_message(e.what())));
      std::this_thread::sleep_for(pause);
      pause = std::min(pause * 2, std::chrono::milliseconds(1000));
    }
  }
}

std::string postgres_session::session_defaults() const {
  // A runner killed mid-migration must not leave its backend running the
  // statement, holding the transaction, until the statement ends: PostgreSQL
  // 14 and later can notice a vanished client. RESET first: this is also
  // what puts the session back before each migration (step_executor). The
  // application name is a startup parameter (PGAPPNAME, see connect()), which
  // RESET ALL keeps. standard_conforming_strings is pinned on: a database or
  // role default of off would turn a backslash in a migration's literal (or a
  // generated comment) into an escape, and a quote after it into the end of
  // the literal.
  std::string sql =
      "RESET SESSION AUTHORIZATION; RESET ALL; SET standard_conforming_strings = on;"
      " SELECT pg_catalog.set_config('client_connection_check_interval', '1s', false)"
      " WHERE pg_catalog.current_setting('server_version_num')::pg_catalog.int4 >= 140000;\n";
  // A tenant's schema comes first, before the role's own search_path.
  if (const auto& tenant = ctx_.options().tenant_schema; !tenant.empty()) {
    sql += "SELECT pg_catalog.set_config('search_path', pg_catalog.concat(";
    bookkeeping_sql::append_quoted_literal(sql, bookkeeping_sql::quote_identifier(tenant));
    sql += "::pg_catalog.text, ', ', pg_catalog.current_setting('search_path')), false);\n";
  }
  return sql;
}

bookkeeping& postgres_session::books() {
  if (!books_) {
    books_ = std::make_unique<bookkeeping>(connection(), names());
    if (per_transaction_) books_->use_unnamed_statements();
  }
  return *books_;
}

void postgres_session::record_failure_elsewhere(const migration& m, const std::string& checksum,
                                                const std::string& message) {
  // On an application's connection there is no URL for a second one: the
  // failure is reported to the caller, and the history has no row of it.
  if (external_) return;
  auto conn = connect(url_);
  bookkeeping books(*conn, names());
  pqxx::work tx(*conn);
  // Whatever the dying migration holds must not keep this waiting for long.
  tx.exec0("SET LOCAL lock_timeout = 5000");
  books.record(tx, {m.revision, "failure", checksum, m.path, message});
  tx.commit();
}

void postgres_session::lock_in_transaction(pqxx::transaction_base& tx) {
  if (!per_transaction_) return;
  advisory_lock::take_for_transaction(
      tx, books().version_table(), parse_duration(ctx_.options().lock_wait, "--lock-wait"),
      [&](const std::string& holder) {
        ctx_.info("waiting for the migration lock, held by " + holder);
      });
}

std::unique_ptr<advisory_lock> postgres_session::lock_for_changes() {
  auto wait = parse_duration(ctx_.options().lock_wait, "--lock-wait");
  auto say_holder = [&](const std::string& holder) {
    ctx_.info("waiting for the migration lock, held by " + holder);
  };
  connection();
  if (per_transaction_ && !external_) {
    // Each transaction that changes the database takes the lock itself;
    // creating the bookkeeping tables is one of them.
    books().create([this](pqxx::transaction_base& tx) { lock_in_transaction(tx); });
    return nullptr;
  }
  if (external_) {
    // An application's own connection: the lock is taken on it (there is no
    // URL for a second one), so a migration that frees every advisory lock
    // of its session frees this one too. Given a URL, the migrator holds the
    // lock on a connection of its own, as the runner does.
    auto lock =
        std::make_unique<advisory_lock>(*external_, books().version_table(), wait, say_holder);
    books().create();
    return lock;
  }
  // The lock lives on a connection of its own, which no migration sees: a
  // migration that runs pg_advisory_unlock_all() or DISCARD ALL, or that
  // loses its session, cannot free it while the run goes on.
  if (!lock_connection_) lock_connection_ = connect(url_);
  auto set_name = [&](const std::string& name) {
    pqxx::nontransaction tx(*lock_connection_);
    tx.exec(session_defaults() + "SELECT pg_catalog.set_config('application_name', " +
            tx.quote(name.substr(0, 63)) + ", false)");
  };
  set_name(application_name_);
  auto lock =
      std::make_unique<advisory_lock>(*lock_connection_, books().version_table(), wait, say_holder);
  // Whoever waits next sees in pg_stat_activity since when this runner holds it.
  set_name(application_name_ + " (lock since " + [] {
    std::time_t t = std::time(nullptr);
    char buf[32];
    std::strftime(buf, sizeof buf, "%H:%M:%S", std::localtime(&t));
    return std::string(buf);
  }() + ")");
  books().create();
  return lock;
}

std::vector<std::string> postgres_session::version_rows() {
  if (!books().exists()) return {};
  return books().version_rows();
}

}  // namespace

void prepare_libpq_environment(const std::string& application_name,
                               const std::string& connect_timeout) {
  // libpq's default application_name, unless the user set one: sent at
  // startup, so that the RESET ALL before each migration keeps it.
  ::setenv("PGAPPNAME", application_name.substr(0, 63).c_str(), 0);
  if (!connect_timeout.empty()) {
    // libpq's own connect_timeout, in whole seconds (at least 2, as libpq
    // rounds smaller values up); a connect_timeout in the URL wins.
    auto ms = parse_duration(connect_timeout, "--connect-timeout").count();
    ::setenv("PGCONNECT_TIMEOUT", std::to_string(std::max<long long>(2, (ms + 999) / 1000)).c_str(),
             1);
  }
}

std::unique_ptr<database_session> open_postgres_session(runner_context& ctx) {
  return std::make_unique<postgres_session>(ctx);
}

}  // namespace migration_tools::engine
