// upgrade and downgrade: plan over the whole graph, check that every step can
// run, then take the lock and run each step in its own transaction.
#include "migration_run.hpp"

#include <algorithm>

#include "checksum_check.hpp"
#include "failed_state.hpp"
#include "migration_tools/migration.hpp"
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

}  // namespace migration_tools::engine
