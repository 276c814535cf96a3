// upgrade and downgrade: plan over the whole graph, check that every step can
// run, then take the lock and run each step in its own transaction.
#include "migration_run.hpp"

#include <algorithm>
#include <random>
#include <thread>

#include "checksum_check.hpp"
#include "concurrent_statements.hpp"
#include "failed_state.hpp"
#include "invalid_index.hpp"
#include "migration_tools/core/lint.hpp"
#include "migration_tools/core/section_statements.hpp"
#include "migration_tools/core/text.hpp"
#include "migration_tools/migration.hpp"
#include "migration_tools/postgres/errors.hpp"
#include "migration_tools/postgres/replica_wait.hpp"
#include "migration_tools/postgres/step_executor.hpp"

namespace migration_tools::engine {

namespace {

// Everything that would stop a step part-way is found before anything runs.
// Through a pooler in transaction mode, a migration outside a transaction
// would run its statements unguarded by the migration lock, each perhaps on
// another server connection: refused.
void preflight(const revision_graph& graph, const plan& p, bool lock_per_transaction) {
  std::vector<diagnostic> ds;
  for (node_id id : p.steps) {
    if (auto blocker = step_blocker(graph, id, p.dir)) ds.push_back(std::move(*blocker));
    const auto& m = graph.at(id);
    if (lock_per_transaction && m.kind == migration_kind::sql && !m.transactional)
      ds.push_back({m.path, m.line_of("transactional"), severity::error,
                    "revision '" + m.revision +
                        "' is 'transactional false': through a connection pooler in "
                        "transaction mode (--lock transaction) its statements would run outside "
                        "the migration lock, each perhaps on another server connection. Run it "
                        "on a direct connection to the server (--lock session)"});
  }
  if (!ds.empty()) throw migration_file_error(std::move(ds));
}

// Another runner moved the version rows between this runner's plan and a
// step's transaction (a pooled connection's lock is per transaction).
struct plan_moved : std::runtime_error {
  plan_moved() : std::runtime_error("the version rows moved") {}
};

// "+2", "-1", "abc+1": a target relative to where the database is, which
// means something else once another runner has moved it.
bool relative_target(const std::string& target) {
  size_t sign = target.find_last_of("+-");
  return sign != std::string::npos && sign + 1 < target.size() &&
         target.find_first_not_of("0123456789", sign + 1) == std::string::npos;
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
    for (const auto& table : tables) {
      std::vector<blocking_session> sessions;
      try {
        sessions = old_transactions_on(observer, table, lock_timeout);
      } catch (const pqxx::sql_error&) {
        // A name the server cannot read back (to_regclass): not worth
        // stopping the run for; the lock guard still bounds the wait.
        continue;
      }
      for (auto& s : sessions) old.emplace_back(table, std::move(s));
    }
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

// --wait-for-replicas: the deploy moves on only once every standby has
// replayed the migration, so that no reader there sees the old schema
// beside code that expects the new one.
void wait_until_replayed(runner_context& ctx, pqxx::connection& conn, const migration& m,
                         std::chrono::milliseconds patience) {
  auto w = wait_for_replicas(conn, patience);
  std::string list;
  for (const auto& s : w.standbys) list += "\n  standby " + describe_standby(s);
  if (!w.caught_up)
    throw database_error(
        m.path + ":" + std::to_string(m.line_of("revision")) + ": error: revision '" + m.revision +
        "' is applied on the primary, but not every standby had replayed it after " +
        ctx.options().wait_for_replicas + " (--wait-for-replicas):" + list +
        "\n  readers of those standbys still see the schema before it; the migrations after it "
        "were not run. Run upgrade again once the standbys have caught up");
  if (w.standbys.empty())
    ctx.info("  no standby is listed in pg_stat_replication: nothing to wait for");
  else
    ctx.info("  every standby replayed revision '" + m.revision + "' within " +
             seconds_text(w.waited) + ":" + list);
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
  // Bad options fail before anything, the bookkeeping tables included, is made.
  const auto& options = ctx.options();
  if (options.lock_retries < 0)
    throw usage_error("--lock-retries must be 0 or more, not " +
                      std::to_string(options.lock_retries));
  auto first_pause = parse_duration(options.lock_retry_delay, "--lock-retry-delay");
  int tries = 1 + options.lock_retries;
  std::optional<std::chrono::milliseconds> replica_patience;
  if (!options.wait_for_replicas.empty())
    replica_patience = parse_duration(options.wait_for_replicas, "--wait-for-replicas");
  const bool per_transaction = ctx.database().locks_per_transaction();
  // Plan first without the lock, so that bad input fails without waiting.
  auto state = ctx.current_state();
  auto plan_from = [&](const applied_state& from) {
    return dir == direction::upgrade ? plan_upgrade(graph, from, target)
                                     : plan_downgrade(graph, from, target);
  };
  auto p = plan_from(state);
  preflight(graph, p, per_transaction);
  // An applied migration that was edited: stop before changing anything.
  if (dir == direction::upgrade) refuse_changed_migrations(ctx, state);

  auto& conn = ctx.connection();
  auto lock = ctx.lock_for_changes();
  // Another runner may have moved the database while this one waited: plan again.
  state = state_from_version_rows(graph, ctx.books().version_rows());
  p = plan_from(state);
  preflight(graph, p, per_transaction);
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
  pqxx::connection* observer = ctx.database().observer_connection();
  // One watcher thread for the run (step_watch), armed for each step.
  std::optional<step_watch> watch;
  if (observer) watch.emplace(*observer, conn.backendpid());
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
  // Through a pooler in transaction mode: each step's transaction takes
  // the lock, then checks that the version rows are still those this plan
  // started the step from; if another runner moved them, nothing of the step
  // runs and the plan is made again from where the database is.
  std::vector<std::string> expected_rows;
  if (per_transaction)
    executor.set_transaction_entry([&](pqxx::transaction_base& tx) {
      ctx.lock_in(tx);
      auto rows = ctx.books().version_rows(tx);
      auto wanted = expected_rows;
      std::sort(rows.begin(), rows.end());
      std::sort(wanted.begin(), wanted.end());
      if (rows != wanted) throw plan_moved();
    });
  auto started = std::chrono::steady_clock::now();
  for (size_t k = 0; k < p.steps.size(); ++k) {
    node_id id = p.steps[k];
    const auto& m = graph.at(id);
    migration_run_step step;
    step.revision = m.revision;
    step.message = m.message;
    step.path = m.path;
    step.label = dir == direction::upgrade ? parents_text(graph, id) + " -> " + m.revision
                                           : m.revision + " -> " + parents_text(graph, id);
    auto step_started = std::chrono::steady_clock::now();
    if (per_transaction) expected_rows = rows_of(graph, state);
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
    bool moved = false;
    for (int attempt = 1;; ++attempt) {
      bool last = attempt >= tries;
      executor.set_retrying_lock_timeouts(!last);
      auto try_started = std::chrono::steady_clock::now();
      // Watching ends with the try, however it ends.
      struct watching {
        step_watch* watch;
        ~watching() {
          if (watch) watch->stop();
        }
      } scope{watch ? &*watch : nullptr};
      if (watch) {
        progress_listener on_progress;
        if (progress.report)
          on_progress = [&progress, &step](const step_progress& p) { progress.report(step, p); };
        watch->start(on_progress, progress.after, progress.every);
      }
      try {
        if (attempt == 1 && before_step) before_step(step);
        executor.run(m, dir, change, ctx.checksum(id), first_statement, again);
        break;
      } catch (const plan_moved&) {
        moved = true;
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
    if (moved) {
      if (relative_target(target))
        throw database_error("another runner changed the version rows of " +
                             ctx.books().version_table() + " during this run, so target '" +
                             target + "' (relative) no longer means what it meant; run again");
      ctx.info(
          "another runner applied migrations meanwhile; planning again from where the "
          "database is");
      state = state_from_version_rows(graph, ctx.books().version_rows());
      p = plan_from(state);
      preflight(graph, p, per_transaction);
      if (dir == direction::upgrade) refuse_changed_migrations(ctx, state);
      k = static_cast<size_t>(-1);  // from the new plan's first step
      continue;
    }
    if (replica_patience) wait_until_replayed(ctx, conn, m, *replica_patience);
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
