#include "runner_context.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <ctime>
#include <iostream>
#include <thread>

#include "database_settings.hpp"
#include "embedded_migrations.hpp"
#include "migration_tools/core/dotenv.hpp"
#include "migration_tools/core/url.hpp"
#include "migration_tools/postgres/connection_string.hpp"
#include "migration_tools/postgres/dev_database.hpp"
#include "migration_tools/postgres/errors.hpp"

namespace migration_tools::cli {

runner_context::runner_context(const runner_config& config, const embedded_catalog& catalog,
                               global_options options)
    : config_(config), catalog_(catalog), options_(std::move(options)) {
  std::vector<diagnostic> ds;
  std::vector<migration> ms = embedded_migrations(catalog, ds);
  if (has_errors(ds)) throw migration_file_error(std::move(ds));
  // A valid graph keeps the migrations in the order given: node i is file i.
  graph_ = revision_graph::build_or_throw(std::move(ms));

  if (options_.color == "always") {
    color_ = true;
  } else if (options_.color == "auto") {
    color_ = ::isatty(STDOUT_FILENO) && process_environment("NO_COLOR").empty() &&
             process_environment("TERM") != "dumb";
  }
}

void runner_context::use_migrations(std::vector<migration> migrations) {
  keep_graph_until_exit();
  graph_ = revision_graph::build_or_throw(std::move(migrations));
}

std::string runner_context::checksum(node_id id) const {
  return embedded_checksum(catalog_.files[static_cast<size_t>(id)]);
}

void runner_context::keep_graph_until_exit() {
  // Never freed, on purpose; still reachable, so no leak checker counts it.
  static auto* kept = new std::vector<revision_graph>();
  kept->push_back(std::move(graph_));
}

void runner_context::info(const std::string& message) const {
  if (options_.log)
    options_.log(message);
  else if (!options_.quiet)
    std::cerr << message << "\n";
}

void runner_context::adopt_connection(pqxx::connection& conn) {
  external_ = &conn;
}

std::string runner_context::style(const std::string& text, const char* code) const {
  if (!color_) return text;
  return std::string("\033[") + code + "m" + text + "\033[0m";
}

std::string runner_context::resolve_url() {
  database_settings settings = read_database_settings(config_, options_);
  if (settings.source) {
    for (const auto& note : settings.source->notes) info("note: " + note);
    info("using database " + describe_connection(settings.source->url) + " (" +
         settings.source->origin + ")");
    return settings.source->url;
  }
  if (!settings.dev_db_refusal.empty()) throw usage_error(no_database_message(settings));
  dev_database dev(dev_db_directory(config_), config_.name);
  std::string url = dev.ensure_running();
  info("using the development database " + url + " (cluster in " + dev.directory() +
       "; stop it with '" + config_.name + " dev-db stop')");
  return url;
}

pqxx::connection& runner_context::connection() {
  if (external_) {
    // The application's own connection: put in the runner's session state
    // once, as every migration's session is.
    if (!external_ready_) {
      pqxx::nontransaction(*external_).exec(session_defaults());
      external_ready_ = true;
    }
    return *external_;
  }
  if (!connection_) {
    url_ = resolve_url();
    application_name_ = std::string(config_.name) + " " + options_.command;
    connection_ = connect(url_);
    notices_ = std::make_unique<notice_printer>(*connection_);
    pqxx::nontransaction(*connection_).exec(session_defaults());
  }
  return *connection_;
}

std::unique_ptr<pqxx::connection> runner_context::connect(const std::string& url) const {
  // libpq's default application_name, unless the user set one: sent at
  // startup, so that the RESET ALL before each migration keeps it.
  ::setenv("PGAPPNAME", application_name_.substr(0, 63).c_str(), 0);
  if (!options_.connect_timeout.empty()) {
    // libpq's own connect_timeout, in whole seconds (at least 2, as libpq
    // rounds smaller values up); a connect_timeout in the URL wins.
    auto ms = parse_duration(options_.connect_timeout, "--connect-timeout").count();
    ::setenv("PGCONNECT_TIMEOUT", std::to_string(std::max<long long>(2, (ms + 999) / 1000)).c_str(),
             1);
  }
  // --wait-for-db: a server started beside the application (a container)
  // may not accept connections yet; try again until the deadline.
  auto patience = options_.wait_for_db.empty()
                      ? std::chrono::milliseconds(0)
                      : parse_duration(options_.wait_for_db, "--wait-for-db");
  auto deadline = std::chrono::steady_clock::now() + patience;
  auto pause = std::chrono::milliseconds(100);
  for (int attempt = 1;; ++attempt) {
    try {
      return std::make_unique<pqxx::connection>(url);
    } catch (const pqxx::broken_connection& e) {
      std::string reason = connection_failure_message(url, postgres_message(e.what()));
      if (std::chrono::steady_clock::now() + pause >= deadline) {
        throw database_error("cannot connect to " + describe_connection(url) + ": " + reason +
                             (attempt > 1 ? " (still, after " + std::to_string(attempt) +
                                                " attempts within --wait-for-db " +
                                                options_.wait_for_db + ")"
                                          : ""));
      }
      if (attempt == 1)
        info("waiting up to " + options_.wait_for_db + " for " + describe_connection(url) +
             " to accept connections: " + reason);
      std::this_thread::sleep_for(pause);
      pause = std::min(pause * 2, std::chrono::milliseconds(1000));
    }
  }
}

std::string runner_context::session_defaults() const {
  // A runner killed mid-migration must not leave its backend running the
  // statement, holding the transaction, until the statement ends: PostgreSQL
  // 14 and later can notice a vanished client. RESET first: this is also
  // what puts the session back before each migration (step_executor). The
  // application name is a startup parameter (PGAPPNAME, see connect()), which
  // RESET ALL keeps.
  return "RESET SESSION AUTHORIZATION; RESET ALL;"
         " SELECT pg_catalog.set_config('client_connection_check_interval', '1s', false)"
         " WHERE pg_catalog.current_setting('server_version_num')::pg_catalog.int4 >= 140000;\n";
}

bookkeeping& runner_context::books() {
  if (!books_)
    books_ = std::make_unique<bookkeeping>(
        connection(), bookkeeping_names{config_.schema, config_.version_table});
  return *books_;
}

void runner_context::record_failure_elsewhere(const migration& m, const std::string& checksum,
                                              const std::string& message) {
  // On an application's connection there is no URL for a second one: the
  // failure is reported to the caller, and the history has no row of it.
  if (external_) return;
  auto conn = connect(url_);
  bookkeeping books(*conn, bookkeeping_names{config_.schema, config_.version_table});
  pqxx::work tx(*conn);
  // Whatever the dying migration holds must not keep this waiting for long.
  tx.exec0("SET LOCAL lock_timeout = 5000");
  books.record(tx, {m.revision, "failure", checksum, m.path, message});
  tx.commit();
}

std::unique_ptr<advisory_lock> runner_context::lock_for_changes() {
  auto wait = parse_duration(options_.lock_wait, "--lock-wait");
  connection();
  if (external_) {
    // An application's own connection: the lock is taken on it (there is no
    // URL for a second one), so a migration that frees every advisory lock
    // of its session frees this one too. Given a URL, the migrator holds the
    // lock on a connection of its own, as the runner does.
    auto lock = std::make_unique<advisory_lock>(
        *external_, books().version_table(), wait, [&](const std::string& holder) {
          info("waiting for the migration lock, held by " + holder);
        });
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
  auto lock = std::make_unique<advisory_lock>(
      *lock_connection_, books().version_table(), wait, [&](const std::string& holder) {
        info("waiting for the migration lock, held by " + holder);
      });
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

std::vector<std::string> runner_context::version_rows() {
  if (!books().exists()) return {};
  return books().version_rows();
}

applied_state runner_context::current_state() {
  return state_from_version_rows(graph_, version_rows());
}

std::chrono::milliseconds parse_duration(const std::string& text, const char* option) {
  size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
  std::string unit = text.substr(digits);
  long long factor = unit.empty() || unit == "s" ? 1000
                     : unit == "ms"              ? 1
                     : unit == "m"               ? 60000
                     : unit == "h"               ? 3600000
                                                 : -1;
  if (digits == 0 || digits > 9 || factor < 0)
    throw usage_error(std::string("malformed ") + option + " '" + text +
                      "': expected a number with an optional unit ms, s, m or h (e.g. 30s, 5m)");
  return std::chrono::milliseconds(std::stoll(text.substr(0, digits)) * factor);
}

timeouts runner_context::migration_timeouts() const {
  auto parse = [](const std::string& text, const char* option) -> std::optional<int> {
    if (text.empty()) return std::nullopt;
    auto ms = parse_postgres_duration(text);
    if (!ms)
      throw usage_error(std::string("malformed ") + option + " '" + text +
                        "': expected a PostgreSQL duration such as 500ms, 5s or 2min, or an "
                        "integer of milliseconds");
    return ms;
  };
  return {parse(options_.lock_timeout, "--lock-timeout"),
          parse(options_.statement_timeout, "--statement-timeout")};
}

std::string dev_db_directory(const runner_config& config) {
  std::string override_dir = process_environment("MIGRATION_TOOLS_DEV_DB_DIR");
  return override_dir.empty() ? config.dev_db_dir : override_dir;
}

std::string describe_revisions(const revision_graph& graph, const std::vector<node_id>& ids) {
  if (ids.empty()) return "base";
  std::string out;
  for (node_id id : ids) out += (out.empty() ? "" : ", ") + graph.revision(id);
  return out;
}

}  // namespace migration_tools::cli
