// upgrade and downgrade: plan over the whole graph, check that every step can
// run, then take the lock and run each step in its own transaction.
#include <fmt/format.h>

#include <chrono>
#include <iostream>

#include "commands.hpp"
#include "migration_tools/core/revision_resolver.hpp"
#include "migration_tools/migration.hpp"
#include "migration_tools/postgres/advisory_lock.hpp"
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
    if (m.kind == migration_kind::cpp) {
      const cpp_steps* steps = find_cpp_steps(m.revision.c_str());
      bool missing = !steps || (p.dir == direction::upgrade ? !steps->upgrade : !steps->downgrade);
      if (missing)
        ds.push_back({m.path, m.line_of("revision"), severity::error,
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

int migrate(runner_context& ctx, const std::string& target, direction dir) {
  const auto& graph = ctx.graph();
  // Plan first without the lock, so that bad input fails without waiting.
  auto state = ctx.current_state();
  auto p = dir == direction::upgrade ? plan_upgrade(graph, state, target)
                                     : plan_downgrade(graph, state, target);
  preflight(graph, p);

  auto& conn = ctx.connection();
  advisory_lock lock(conn, ctx.books().version_table(), std::chrono::minutes(5),
                     [&](const std::string& holder) {
                       ctx.info("waiting for the migration lock, held by " + holder);
                     });
  ctx.books().create();
  // Another runner may have moved the database while this one waited: plan again.
  state = state_from_version_rows(graph, ctx.books().version_rows());
  p = dir == direction::upgrade ? plan_upgrade(graph, state, target)
                                : plan_downgrade(graph, state, target);
  preflight(graph, p);

  if (p.steps.empty()) {
    ctx.info("nothing to do: the database is at " + describe_revisions(graph, state.heads));
    return ok;
  }
  step_executor executor(conn, ctx.books());
  auto started = std::chrono::steady_clock::now();
  for (node_id id : p.steps) {
    const auto& m = graph.at(id);
    std::string label = dir == direction::upgrade
                            ? parents_text(graph, id) + " -> " + m.revision
                            : m.revision + " -> " + parents_text(graph, id);
    if (!ctx.options().quiet)
      std::cout << (dir == direction::upgrade ? "upgrade   " : "downgrade ") << label
                << (m.message.empty() ? "" : ", " + m.message) << "  (" << m.path << ")"
                << std::endl;
    auto change = advance(graph, state, id, dir);
    executor.run(m, dir, change, ctx.checksum(id));
  }
  auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  ctx.info(fmt::format(FMT_STRING("{} {} migration{} in {:.2f} s; the database is at {}"),
                       dir == direction::upgrade ? "upgraded" : "downgraded", p.steps.size(),
                       p.steps.size() == 1 ? "" : "s", seconds,
                       describe_revisions(graph, state.heads)));
  return ok;
}

}  // namespace

int upgrade_command(runner_context& ctx, const std::string& target) {
  return migrate(ctx, target, direction::upgrade);
}

int downgrade_command(runner_context& ctx, const std::string& target) {
  return migrate(ctx, target, direction::downgrade);
}

int stamp_command(runner_context& ctx, const std::vector<std::string>& targets) {
  const auto& graph = ctx.graph();
  revision_set wanted;
  {
    revision_resolver resolver(graph, ctx.current_state().heads);
    for (const auto& t : targets)
      for (node_id id : resolver.resolve(t)) wanted.push_back(id);
  }
  auto rows = graph.heads_of(graph.closure_down(wanted));
  auto& conn = ctx.connection();
  advisory_lock lock(conn, ctx.books().version_table(), std::chrono::minutes(5),
                     [&](const std::string& holder) {
                       ctx.info("waiting for the migration lock, held by " + holder);
                     });
  ctx.books().create();
  pqxx::work tx(conn);
  tx.exec0("DELETE FROM " + ctx.books().version_table());
  version_change change;
  for (node_id id : rows) change.inserts.push_back(graph.revision(id));
  ctx.books().apply(tx, change);
  for (node_id id : rows)
    ctx.books().record(tx, {graph.revision(id), "stamp", ctx.checksum(id), graph.at(id).path, ""});
  if (rows.empty()) ctx.books().record(tx, {"base", "stamp", "", "", ""});
  tx.commit();
  ctx.info("stamped the database at " + describe_revisions(graph, rows) +
           " without running any migration");
  return ok;
}

}  // namespace migration_tools::cli
