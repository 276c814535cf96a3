#include "migration_tools/postgres/step_watch.hpp"

#include <cstdio>

namespace migration_tools {

namespace {

// A first look after this long: a statement that takes its locks at once
// finishes before it, and costs no query.
constexpr std::chrono::milliseconds first_look{150};
constexpr std::chrono::milliseconds between_looks{200};

std::string seconds(std::chrono::milliseconds d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f s", static_cast<double>(d.count()) / 1000.0);
  return buf;
}

}  // namespace

std::string describe_blocking_session(const blocking_session& s) {
  std::string out = "pid " + std::to_string(s.pid) + " (";
  out += "user " + (s.user.empty() ? std::string("?") : s.user);
  if (!s.application.empty()) out += ", application '" + s.application + "'";
  if (!s.state.empty()) out += ", " + s.state;
  if (s.transaction_seconds > 0) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f", s.transaction_seconds);
    out += std::string(", its transaction open for ") + buf + " s";
  }
  out += ")";
  if (!s.query.empty()) {
    std::string query;
    for (char c : s.query) query += c == '\n' || c == '\r' || c == '\t' ? ' ' : c;
    out += ": " + query;
  }
  return out;
}

namespace {

// The columns of a blocking_session, from pg_stat_activity `a`.
constexpr const char* session_columns =
    "a.pid, COALESCE(a.usename::pg_catalog.text, ''), COALESCE(a.application_name, ''),"
    " COALESCE(a.state, ''), COALESCE(pg_catalog.date_part('epoch', pg_catalog.clock_timestamp()"
    " OPERATOR(pg_catalog.-) a.xact_start), 0)::pg_catalog.float8,"
    " pg_catalog.left(COALESCE(a.query, ''), 200)";

std::vector<blocking_session> sessions_from(const pqxx::result& rows) {
  std::vector<blocking_session> out;
  for (const auto& row : rows)
    out.push_back({row[0].as<int>(), row[1].as<std::string>(), row[2].as<std::string>(),
                   row[3].as<std::string>(), row[4].as<double>(), row[5].as<std::string>()});
  return out;
}

}  // namespace

std::vector<blocking_session> sessions_blocking(pqxx::connection& conn, int pid) {
  pqxx::nontransaction tx(conn);
  return sessions_from(tx.exec_params(std::string("SELECT ") + session_columns +
                                          " FROM pg_catalog.pg_stat_activity a"
                                          " WHERE a.pid OPERATOR(pg_catalog.=) ANY "
                                          "(pg_catalog.pg_blocking_pids($1::pg_catalog.int4))"
                                          " ORDER BY a.xact_start NULLS LAST, a.pid",
                                      pid));
}

std::vector<blocking_session> old_transactions_on(pqxx::connection& conn, const std::string& table,
                                                  std::chrono::milliseconds older_than) {
  pqxx::nontransaction tx(conn);
  return sessions_from(tx.exec_params(
      std::string("SELECT DISTINCT ") + session_columns +
          " FROM pg_catalog.pg_locks l JOIN pg_catalog.pg_stat_activity a"
          " ON a.pid OPERATOR(pg_catalog.=) l.pid"
          " WHERE l.locktype OPERATOR(pg_catalog.=) 'relation'"
          // The relation, and when it is an index, its table.
          " AND l.relation OPERATOR(pg_catalog.=) ANY (ARRAY["
          " pg_catalog.to_regclass($1::pg_catalog.text),"
          " (SELECT i.indrelid FROM pg_catalog.pg_index i"
          " WHERE i.indexrelid OPERATOR(pg_catalog.=) "
          "pg_catalog.to_regclass($1::pg_catalog.text))])"
          " AND l.pid OPERATOR(pg_catalog.<>) pg_catalog.pg_backend_pid()"
          " AND a.xact_start OPERATOR(pg_catalog.<) (pg_catalog.clock_timestamp()"
          " OPERATOR(pg_catalog.-) pg_catalog.make_interval(secs => $2::pg_catalog.float8))"
          " ORDER BY 5 DESC",
      table, static_cast<double>(older_than.count()) / 1000.0));
}

std::string describe_progress(const step_progress& p) {
  std::string out = p.command.empty() ? std::string("running") : p.command;
  if (!p.phase.empty()) out += ": " + p.phase;
  if (p.percent) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%.0f%%", *p.percent);
    out += std::string(", ") + buf;
  }
  return out + " (" + seconds(p.elapsed) + ")";
}

step_progress progress_of(pqxx::connection& conn, int pid) {
  // The views PostgreSQL 15 fills for the statements of migrations that run
  // long: index builds (CREATE INDEX, REINDEX) and table rewrites (CLUSTER,
  // VACUUM FULL). Blocks when the phase counts them, else tuples.
  pqxx::nontransaction tx(conn);
  auto rows = tx.exec_params(
      "SELECT p.command, p.phase, p.blocks_done::pg_catalog.float8,"
      " p.blocks_total::pg_catalog.float8, p.tuples_done::pg_catalog.float8,"
      " p.tuples_total::pg_catalog.float8 FROM pg_catalog.pg_stat_progress_create_index p"
      " WHERE p.pid OPERATOR(pg_catalog.=) $1::pg_catalog.int4"
      " UNION ALL SELECT c.command, c.phase, c.heap_blks_scanned::pg_catalog.float8,"
      " c.heap_blks_total::pg_catalog.float8, 0::pg_catalog.float8, 0::pg_catalog.float8"
      " FROM pg_catalog.pg_stat_progress_cluster c"
      " WHERE c.pid OPERATOR(pg_catalog.=) $1::pg_catalog.int4",
      pid);
  step_progress out;
  if (rows.empty()) return out;
  const auto& row = rows[0];
  out.command = row[0].as<std::string>();
  out.phase = row[1].as<std::string>();
  double blocks_done = row[2].as<double>(), blocks_total = row[3].as<double>();
  double tuples_done = row[4].as<double>(), tuples_total = row[5].as<double>();
  if (blocks_total > 0)
    out.percent = 100.0 * blocks_done / blocks_total;
  else if (tuples_total > 0)
    out.percent = 100.0 * tuples_done / tuples_total;
  return out;
}

step_watch::step_watch(pqxx::connection& observer, int watched_pid)
    : observer_(observer), watched_pid_(watched_pid), thread_([this] { serve(); }) {}

step_watch::~step_watch() {
  stop();
  {
    std::lock_guard<std::mutex> lock(mutex_);
    quitting_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void step_watch::start(progress_listener on_progress, std::chrono::milliseconds after,
                       std::chrono::milliseconds every) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    active_ = true;
    ++step_;
    on_progress_ = std::move(on_progress);
    after_ = after;
    every_ = every;
    started_ = std::chrono::steady_clock::now();
    reported_ = false;
    last_seen_.clear();
    failure_.clear();
  }
  wake_.notify_all();
}

std::vector<blocking_session> step_watch::stop() {
  std::unique_lock<std::mutex> lock(mutex_);
  if (!active_) return last_seen_;
  active_ = false;
  wake_.notify_all();
  idle_.wait(lock, [this] { return !busy_; });
  if (reported_ && on_progress_) {
    step_progress last;
    last.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - started_);
    last.finished = true;
    auto report = on_progress_;
    lock.unlock();
    report(last);
    lock.lock();
  }
  return last_seen_;
}

std::string step_watch::failure() {
  std::lock_guard<std::mutex> lock(mutex_);
  return failure_;
}

void step_watch::serve() {
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    wake_.wait(lock, [this] { return quitting_ || active_; });
    if (quitting_) return;
    const unsigned step = step_;
    watch_step(lock);
    // Until this step ends (after a failure to read, or a stop()).
    wake_.wait(lock, [this, step] { return quitting_ || !active_ || step_ != step; });
  }
}

void step_watch::watch_step(std::unique_lock<std::mutex>& lock) {
  const unsigned step = step_;
  auto over = [this, step] { return quitting_ || !active_ || step_ != step; };
  auto pause = first_look;
  auto next_report = started_ + after_;
  while (!wake_.wait_for(lock, pause, over)) {
    pause = between_looks;
    busy_ = true;
    auto on_progress = on_progress_;
    auto started = started_;
    auto every = every_;
    lock.unlock();
    std::vector<blocking_session> seen;
    std::optional<step_progress> progress;
    std::string failed;
    try {
      seen = sessions_blocking(observer_, watched_pid_);
      auto now = std::chrono::steady_clock::now();
      if (on_progress && now >= next_report) {
        progress = progress_of(observer_, watched_pid_);
        progress->elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(now - started);
        next_report = now + every;
      }
    } catch (const std::exception& e) {
      // The step goes on unwatched; the report says why no blocker is named.
      failed = e.what();
    }
    if (progress) on_progress(*progress);
    lock.lock();
    busy_ = false;
    idle_.notify_all();
    if (!failed.empty()) {
      failure_ = failed;
      return;
    }
    if (progress) reported_ = true;
    if (!seen.empty()) last_seen_ = std::move(seen);
  }
}

}  // namespace migration_tools
