// upgrade and downgrade: plan over the whole graph, check that every step can
// run, then take the lock and run each step in its own transaction.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <iostream>

#include "checksum_check.hpp"
#include "commands.hpp"
#include "failed_state.hpp"
#include "migration_run.hpp"
#include "migration_tools/core/stamp.hpp"
#include "migration_tools/core/text.hpp"
#include "migration_tools/migration.hpp"
#include "migration_tools/postgres/step_executor.hpp"

namespace migration_tools::cli {

namespace {

// Everything that would stop a step part-way is found before anything runs.
void preflight(const revision_graph& graph, const plan& p) {
  std::vector<diagnostic> ds;
  for (node_id id : p.steps) {
    const auto& m = graph.at(id);
    if (p.dir == direction::downgrade && m.kind == migration_kind::sql && !m.downgrade.present)
      ds.push_back({m.path, m.line_of("revision"), severity::error,
                    "revision '" + m.revision +
                        "' has no '-- migrate:downgrade' section, so it cannot be downgraded"});
    if (p.dir == direction::upgrade && has_unfilled_upgrade(graph, id))
      ds.push_back({m.path, std::max(1, m.upgrade.first_line - 1), severity::error,
                    unfilled_upgrade_message(m)});
    if (m.kind == migration_kind::cpp) {
      const cpp_steps* steps = find_cpp_steps(m.revision.c_str());
      bool missing = !steps || (p.dir == direction::upgrade ? !steps->upgrade : !steps->downgrade);
      if (missing)
        ds.push_back(
            {m.path, m.line_of("revision"), severity::error,
             std::string("C++ migration '") + m.revision + "' has no " +
                 (p.dir == direction::upgrade ? "MIGRATION_UPGRADE" : "MIGRATION_DOWNGRADE") +
                 " body, so it cannot be " +
                 (p.dir == direction::upgrade ? "upgraded" : "downgraded")});
    }
  }
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

int migrate(runner_context& ctx, const std::string& target, direction dir, bool resume) {
  const bool up = dir == direction::upgrade;
  auto run = run_migrations(ctx, target, dir, resume, [&](const migration_run_step& step) {
    if (!ctx.options().quiet)
      std::cout << (up ? "upgrade   " : "downgrade ") << step.label
                << (step.message.empty() ? "" : ", " + escape_control_characters(step.message))
                << "  (" << escape_control_characters(step.path) << ")" << std::endl;
  });
  auto at = [&](const std::vector<std::string>& rows) {
    std::vector<node_id> ids;
    for (const auto& r : rows) ids.push_back(ctx.graph().find(r));
    return describe_revisions(ctx.graph(), ids);
  };
  if (run.steps.empty()) {
    ctx.info("nothing to do: the database is at " + at(run.to));
    return ok;
  }
  ctx.info(fmt::format(FMT_STRING("{} {} migration{} in {:.2f} s; the database is at {}"),
                       up ? "upgraded" : "downgraded", run.steps.size(),
                       run.steps.size() == 1 ? "" : "s",
                       std::chrono::duration<double>(run.duration).count(), at(run.to)));
  return ok;
}

// The history keeps what the stamp did to the version table: a `stamp` row
// for each row it inserted and an `unstamp` row for each row it deleted. Only
// a revision the stamp newly marks applied gets its file's checksum: one that
// was applied before keeps the checksum recorded when it ran, so a stamp
// never hides an edit to an applied migration. (After --purge nothing is
// known of before, and every inserted row gets its checksum.)
void record_stamp(runner_context& ctx, pqxx::transaction_base& tx, const applied_state& before,
                  const stamp_plan& p) {
  const auto& graph = ctx.graph();
  for (const auto& revision : p.change.deletes)
    ctx.books().record(tx, {revision, "unstamp", "", graph.at(graph.find(revision)).path, ""});
  for (const auto& revision : p.change.inserts) {
    node_id id = graph.find(revision);
    bool newly_applied = !before.applied[static_cast<size_t>(id)];
    ctx.books().record(
        tx, {revision, "stamp", newly_applied ? ctx.checksum(id) : "", graph.at(id).path, ""});
  }
}

}  // namespace

migration_run run_migrations(runner_context& ctx, const std::string& target, direction dir,
                             bool resume, const step_listener& before_step) {
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
    executor.run(m, dir, change, ctx.checksum(id), resumed.first_statement_of(id));
    step.duration = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - step_started);
    run.steps.push_back(std::move(step));
  }
  run.duration = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - started);
  run.to = rows_of(graph, state);
  return run;
}

int upgrade_command(runner_context& ctx, const std::string& target, bool resume) {
  return migrate(ctx, target, direction::upgrade, resume);
}

int downgrade_command(runner_context& ctx, const std::string& target, bool resume) {
  return migrate(ctx, target, direction::downgrade, resume);
}

int stamp_command(runner_context& ctx, const std::vector<std::string>& targets, bool purge) {
  const auto& graph = ctx.graph();
  // With --purge the rows are not read: they may name revisions this runner
  // does not know, which is the usual reason to purge.
  auto state_now = [&](auto read_rows) {
    if (purge) return state_from_version_rows(graph, {});
    try {
      return state_from_version_rows(graph, read_rows());
    } catch (const usage_error& e) {
      throw usage_error(std::string(e.what()) + ", or replace the rows with 'stamp --purge REV'");
    }
  };
  // Plan first without the lock, so that bad input fails without waiting.
  plan_stamp(graph, state_now([&] { return ctx.version_rows(); }), targets, purge);
  auto& conn = ctx.connection();
  auto lock = ctx.lock_for_changes();
  // Setting the version explicitly also ends a failed `transactional false` migration.
  auto failed = read_failed_migrations(ctx);
  pqxx::work tx(conn);
  // Another runner may have moved the rows while this one waited: plan again.
  auto before = state_now([&] { return ctx.books().version_rows(tx); });
  auto p = plan_stamp(graph, before, targets, purge);
  if (p.purge) tx.exec0("DELETE FROM " + ctx.books().version_table());
  ctx.books().apply(tx, p.change);
  record_stamp(ctx, tx, before, p);
  if (!failed.empty()) {
    ctx.books().clear_all_progress(tx);
    // Ending a failed state is a change too, also when no version row moves.
    for (const auto& f : failed) {
      node_id id = graph.find(f.revision);
      ctx.books().record(
          tx, {f.revision, "stamp", "", id >= 0 ? graph.at(id).path : "",
               "stamp cleared the failed state of its " + f.direction + " (stopped at statement " +
                   std::to_string(f.rows.back().statement.index) +
                   "); its statements were not "
                   "run again"});
    }
  }
  tx.commit();
  for (const auto& f : failed)
    ctx.info("cleared the failed state of revision '" + f.revision + "' (" + f.direction +
             " stopped at statement " + std::to_string(f.rows.back().statement.index) +
             "); its statements are not run again");
  ctx.info("stamped the database at " + describe_revisions(graph, p.heads) +
           " without running any migration");
  return ok;
}

}  // namespace migration_tools::cli
