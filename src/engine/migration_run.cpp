// upgrade and downgrade: plan over the whole graph, check that every step can
// run, then take the lock and run each step in its own transaction.
#include "migration_run.hpp"

#include <algorithm>
#include <random>
#include <thread>

#include "checksum_check.hpp"
#include "failed_state.hpp"
#include "concurrent_statements.hpp"
#include "invalid_index.hpp"
#include "migration_tools/core/lint.hpp"
#include "migration_tools/core/section_statements.hpp"
#include "migration_tools/core/text.hpp"
#include "migration_tools/migration.hpp"
#include "migration_tools/postgres/errors.hpp"
#include "migration_tools/postgres/step_executor.hpp"

namespace migration_tools::engine {

namespace {

// Everything that would stop a step part-way is found before anything runs.
void preflight(const revision_graph& graph, const plan& p) {
  std::vector<diagnostic> ds;
  for (node_id id : p.steps)
    if (auto blocker = step_blocker(graph, id, p.dir)) ds.push_back(std::move(*blocker));
  if (!ds.empty()) throw migration_file_error(std::move(ds));
}

std::string parents_text(const revision_graph& graph, node_id id) {
  std::string out;
  for (node_id p : graph.parents(id)) out += (out.empty() ? "" : ", ") + graph.revision(p);
  return out.empty() ? "<base>" : out;
}

// The version rows of a state, in the state's order.
std::vector<std::string> rows_of(const revision_graph& graph, const applied_state& state) {
  std::vector<std::string> out;
  for (node_id id : state.heads) out.push_back(graph.revision(id));
  return out;
}

// The pause before retry `retry` (1-based): `first`, doubling, at most 40
// times `first`, each drawn within a quarter of that so that runners that
// timed out together do not come back together.
std::chrono::milliseconds retry_pause(std::chrono::milliseconds first, int retry) {
  double base = static_cast<double>(first.count());
  for (int i = 1; i < retry && base < 40.0 * static_cast<double>(first.count()); ++i) base *= 2;
  base = std::min(base, 40.0 * static_cast<double>(first.count()));
  static thread_local std::mt19937 random{std::random_device{}()};
  std::uniform_real_distribution<double> jitter(0.75, 1.25);
  return std::chrono::milliseconds(static_cast<long long>(base * jitter(random)));
}

}  // namespace

std::string blockers_text(const std::vector<blocking_session>& blockers,
                          const std::string& unseen_because) {
  if (blockers.empty() && !unseen_because.empty())
    return "the blocking sessions could not be read: " + postgres_message(unseen_because);
  if (blockers.empty()) return "no blocking session was seen (it ended meanwhile)";
  std::string out = "blocked by ";
  for (size_t i = 0; i < blockers.size(); ++i)
    out += (i ? "; " : "") + describe_blocking_session(blockers[i]);
  return out;
}

namespace {

std::string seconds_text(std::chrono::milliseconds d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f s", static_cast<double>(d.count()) / 1000.0);
  return buf;
}

// Before a step takes an ACCESS EXCLUSIVE lock on an existing table: the
// transactions on it open longer than the lock timeout, which it would wait
// for (and queue every query behind), are named; with --wait-for-idle the
// step waits for them to end first, up to that long, holding nothing.
void check_idle_tables(runner_context& ctx, pqxx::connection& observer, const migration& m,
                       direction dir, std::chrono::milliseconds lock_timeout) {
  auto tables = exclusively_locked_tables(m, dir == direction::downgrade);
  if (tables.empty()) return;
  const auto& patience_text = ctx.options().wait_for_idle;
  auto patience = patience_text.empty() ? std::chrono::milliseconds(0)
                                        : parse_duration(patience_text, "--wait-for-idle");
  auto deadline = std::chrono::steady_clock::now() + patience;
  bool said = false;
  for (;;) {
    std::vector<std::pair<std::string, blocking_session>> old;
    for (const auto& table : tables)
      for (auto& s : old_transactions_on(observer, table, lock_timeout))
        old.emplace_back(table, std::move(s));
    if (old.empty()) {
      if (said) ctx.warn("  the tables are free now; revision '" + m.revision + "' goes on");
      return;
    }
    if (!said) {
      for (const auto& [table, s] : old)
        ctx.warn("warning: revision '" + m.revision + "' (" + m.path + ") locks table " + table +
                 ", which a transaction open longer than the lock timeout holds: " +
                 escape_control_characters(describe_blocking_session(s)));
      ctx.warn(patience.count() > 0
                   ? "  waiting up to " + patience_text + " for it to end (--wait-for-idle)"
                   : "  the migration will wait behind it, or time out and retry; "
                     "--wait-for-idle DURATION waits for it to end first");
      said = true;
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      if (patience.count() > 0)
        ctx.warn("  still open after " + patience_text + "; revision '" + m.revision +
                 "' goes on, guarded by the lock timeout");
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
}

}  // namespace

std::optional<diagnostic> step_blocker(const revision_graph& graph, node_id id, direction dir) {
  const auto& m = graph.at(id);
  if (dir == direction::downgrade && m.kind == migration_kind::sql && !m.downgrade.present)
    return diagnostic{m.path, m.line_of("revision"), severity::error,
                      "revision '" + m.revision +
                          "' has no '-- migrate:downgrade' section, so it cannot be downgraded"};
  if (dir == direction::upgrade && has_unfilled_upgrade(graph, id))
    return diagnostic{m.path, std::max(1, m.upgrade.first_line - 1), severity::error,
                      unfilled_upgrade_message(m)};
  if (m.kind == migration_kind::cpp) {
    const cpp_steps* steps = find_cpp_steps(m.revision.c_str());
    bool up = dir == direction::upgrade;
    if (!steps || !(up ? steps->upgrade : steps->downgrade))
      return diagnostic{m.path, m.line_of("revision"), severity::error,
                        std::string("C++ migration '") + m.revision + "' has no " +
                            (up ? "MIGRATION_UPGRADE" : "MIGRATION_DOWNGRADE") +
                            " body, so it cannot be " + (up ? "upgraded" : "downgraded")};
  }
  return std::nullopt;
}

migration_run run_migrations(runner_context& ctx, const std::string& target, direction dir,
                             bool resume, const step_listener& before_step,
                             const lock_timeout_listener& on_lock_timeout,
                             const progress_reporting& progress) {
  const auto& graph = ctx.graph();
  auto limits = ctx.migration_timeouts();
  // Plan first without the lock, so that bad input fails without waiting.
  auto state = ctx.current_state();
  auto p = dir == direction::upgrade ? plan_upgrade(graph, state, target)
                                     : plan_downgrade(graph, state, target);
  preflight(graph, p);
  // An applied migration that was edited: stop before changing anything.
  if (dir == direction::upgrade) refuse_changed_migrations(ctx, state);

  auto& conn = ctx.connection();
  auto lock = ctx.lock_for_changes();
  // Another runner may have moved the database while this one waited: plan again.
  state = state_from_version_rows(graph, ctx.books().version_rows());
  p = dir == direction::upgrade ? plan_upgrade(graph, state, target)
                                : plan_downgrade(graph, state, target);
  preflight(graph, p);
  if (dir == direction::upgrade) refuse_changed_migrations(ctx, state);
  // A `transactional false` migration that failed part-way stops everything
  // until it is resumed or stamped.
  auto resumed = check_failed_state(ctx, p, resume);

  migration_run run;
  run.from = rows_of(graph, state);
  if (p.steps.empty()) {
    run.to = run.from;
    return run;
  }
  step_executor executor(conn, ctx.books());
  executor.set_timeouts(limits);
  executor.set_session_defaults(ctx.session_defaults());
  executor.set_failure_recorder(
      [&ctx](const migration& m, const std::string& checksum, const std::string& message) {
        ctx.record_failure_elsewhere(m, checksum, message);
      });
  const auto& options = ctx.options();
  if (options.lock_retries < 0)
    throw usage_error("--lock-retries must be 0 or more, not " +
                      std::to_string(options.lock_retries));
  auto first_pause = parse_duration(options.lock_retry_delay, "--lock-retry-delay");
  int tries = 1 + options.lock_retries;
  pqxx::connection* observer = ctx.database().observer_connection();
  int backend = conn.backendpid();
  // A CREATE INDEX CONCURRENTLY run again (retried, resumed) first clears
  // the INVALID index its failed try left.
  executor.set_statement_again_hook(
      [&ctx](pqxx::connection& c, const migration&, const sql_statement& statement) {
        drop_invalid_index_of(c, statement, [&ctx](const std::string& what) { ctx.info(what); });
      });
  // The default lock_timeout is for statements that queue others behind
  // them; a CONCURRENTLY index build only waits (concurrent_statements.hpp).
  if (options.lock_timeout.empty())
    executor.set_lock_timeout_exemption([](const migration& m, const sql_statement& statement) {
      return !m.lock_timeout_ms && waits_without_blocking(statement);
    });
  auto started = std::chrono::steady_clock::now();
  for (node_id id : p.steps) {
    const auto& m = graph.at(id);
    migration_run_step step;
    step.revision = m.revision;
    step.message = m.message;
    step.path = m.path;
    step.label = dir == direction::upgrade ? parents_text(graph, id) + " -> " + m.revision
                                           : m.revision + " -> " + parents_text(graph, id);
    if (before_step) before_step(step);
    auto step_started = std::chrono::steady_clock::now();
    auto change = advance(graph, state, id, dir);
    int first_statement = resumed.first_statement_of(id);
    bool again = resumed.revision == id;
    if (observer) {
      auto timeout = m.lock_timeout_ms.value_or(limits.lock_timeout_ms.value_or(0));
      check_idle_tables(ctx, *observer, m, dir,
                        std::chrono::milliseconds(
                            timeout > 0 ? timeout : runner_context::default_lock_timeout_ms));
    }
    // The lock guard: a step that gives up waiting for a lock (lock_timeout)
    // has rolled back and holds nothing; it is tried again after a pause,
    // while the session that blocked it finishes, instead of queueing the
    // application's queries behind its own wait.
    for (int attempt = 1;; ++attempt) {
      bool last = attempt >= tries;
      executor.set_retrying_lock_timeouts(!last);
      auto try_started = std::chrono::steady_clock::now();
      std::optional<step_watch> watch;
      if (observer) {
        progress_listener on_progress;
        if (progress.report)
          on_progress = [&progress, &step](const step_progress& p) { progress.report(step, p); };
        watch.emplace(*observer, backend, on_progress, progress.after, progress.every);
      }
      try {
        executor.run(m, dir, change, ctx.checksum(id), first_statement, again);
        break;
      } catch (const migration_failed& e) {
        std::vector<blocking_session> blockers;
        std::string unseen_because;
        if (watch) {
          blockers = watch->stop();
          unseen_because = watch->failure();
        }
        if (!e.lock_timed_out()) throw;
        lock_timeout_report report;
        report.step = step;
        report.attempt = attempt;
        report.tries = tries;
        report.waited = std::chrono::duration_cast<std::chrono::milliseconds>(
            std::chrono::steady_clock::now() - try_started);
        report.blockers = blockers;
        report.unseen_because = unseen_because;
        report.pause = last ? std::chrono::milliseconds(0) : retry_pause(first_pause, attempt);
        if (on_lock_timeout) on_lock_timeout(report);
        if (last)
          throw migration_failed(
              std::string(e.what()) + "\n  the lock guard gave up after " + std::to_string(tries) +
                  (tries == 1 ? " try" : " tries") + " over " +
                  seconds_text(std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::steady_clock::now() - step_started)) +
                  " (--lock-timeout, --lock-retries); " + blockers_text(blockers, unseen_because) +
                  "\n  nothing of revision '" + m.revision +
                  "' stays; the revisions before it are applied",
              e.sqlstate(), e.statement());
        // A `transactional false` migration goes on from the statement
        // that timed out: those before it are done and recorded. One whose
        // statements all ran timed out in its bookkeeping: that alone again.
        if (e.statement() > 0) {
          first_statement = e.statement();
          again = true;
        } else if (m.kind == migration_kind::sql && !m.transactional) {
          const auto& section = dir == direction::upgrade ? m.upgrade : m.downgrade;
          first_statement = static_cast<int>(section_statements(section).size()) + 1;
        }
        std::this_thread::sleep_for(report.pause);
      }
    }
    step.duration = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - step_started);
    run.steps.push_back(std::move(step));
  }
  run.duration = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - started);
  run.to = rows_of(graph, state);
  return run;
}

}  // namespace migration_tools::engine
