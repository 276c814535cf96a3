#include "migration_tools/core/planner.hpp"

#include <algorithm>

#include "migration_tools/core/section_statements.hpp"

namespace migration_tools {

namespace {

std::string quoted(std::string_view s) {
  return "'" + std::string(s) + "'";
}

std::string describe(const revision_graph& g, const revision_set& s) {
  return s.empty() ? std::string("base") : list_revisions(g, s);
}

bool contains(const std::vector<node_id>& v, node_id id) {
  return std::find(v.begin(), v.end(), id) != v.end();
}

}  // namespace

applied_state state_from_version_rows(const revision_graph& graph,
                                      const std::vector<std::string>& rows) {
  applied_state state;
  for (const auto& row : rows) {
    node_id id = graph.find(row);
    if (id < 0)
      throw usage_error(
          "the database is at revision " + quoted(row) +
          ", which this runner does not contain: the database is ahead of these sources (a "
          "migration of another branch, or a newer checkout, was applied to it). Switch to "
          "the branch that has " +
          quoted(row) +
          " and work from there, or downgrade the database from that branch (downgrade to a "
          "revision both branches have) before using this one");
    state.heads.push_back(id);
  }
  state.applied = graph.closure_down(state.heads);
  return state;
}

plan plan_upgrade(const revision_graph& graph, const applied_state& state,
                  std::string_view target) {
  return plan_upgrade(graph, state, revision_resolver(graph, state.heads).resolve_target(target));
}

plan plan_upgrade(const revision_graph& graph, const applied_state& state,
                  const resolved_target& target) {
  // The branch of `X@Y` only helped to find Y: upgrading to Y applies
  // whatever Y needs, on any branch.
  const revision_set& targets = target.revisions;
  plan p;
  p.dir = direction::upgrade;
  // `base` (also reached by a downward walk such as `-2`) is below anything applied.
  if (targets.empty() && !state.heads.empty()) {
    std::string from = "the current heads (" + describe(graph, state.heads) + ")";
    throw revision_error("destination base is not a valid upgrade target from " + from);
  }
  // A target that is already applied (a head, or below one) needs nothing:
  // as in Alembic, `upgrade <rev>` is idempotent, and deploy scripts rely on it.
  auto wanted = graph.closure_down(targets);
  for (node_id id : graph.topological_order())
    if (wanted[static_cast<size_t>(id)] && !state.applied[static_cast<size_t>(id)])
      p.steps.push_back(id);
  return p;
}

plan plan_downgrade(const revision_graph& graph, const applied_state& state,
                    std::string_view target) {
  return plan_downgrade(graph, state, revision_resolver(graph, state.heads).resolve_target(target));
}

plan plan_downgrade(const revision_graph& graph, const applied_state& state,
                    const resolved_target& target) {
  const revision_set& targets = target.revisions;
  plan p;
  p.dir = direction::downgrade;
  for (node_id t : targets)
    if (!state.applied[static_cast<size_t>(t)])
      throw revision_error("destination " + quoted(graph.revision(t)) +
                           " is not a valid downgrade target from the current heads (" +
                           describe(graph, state.heads) + "): it is not applied");
  // As in Alembic: what goes is everything above the targets' children (for
  // base: above the bases). A revision that merely depends on a target stays,
  // since the target stays. On a branch `X@Y` only the children on X count,
  // so the other lines growing out of Y are left alone.
  std::vector<node_id> roots;
  if (targets.empty()) {
    roots = graph.bases();
  } else {
    for (node_id t : targets)
      for (node_id c : graph.children(t))
        if (!contains(roots, c)) roots.push_back(c);
  }
  if (target.branch) {
    roots.erase(std::remove_if(roots.begin(), roots.end(),
                               [&](node_id r) { return !target.branch->contains(r); }),
                roots.end());
  }
  auto above = graph.closure_up(roots);
  // The targets and what they need stay, even when another target is above them.
  auto kept = graph.closure_down(targets);
  std::vector<char> remove(graph.size(), 0);
  for (size_t i = 0; i < remove.size(); ++i) remove[i] = above[i] && state.applied[i] && !kept[i];
  const auto& order = graph.topological_order();
  for (auto it = order.rbegin(); it != order.rend(); ++it)
    if (remove[static_cast<size_t>(*it)]) p.steps.push_back(*it);
  return p;
}

version_change advance(const revision_graph& graph, applied_state& state, node_id step,
                       direction dir) {
  version_change change;
  auto& heads = state.heads;
  if (dir == direction::upgrade) {
    // The step replaces whichever of its parents and dependencies were heads.
    std::vector<node_id> replaced;
    for (const auto* edges : {&graph.parents(step), &graph.dependencies(step)})
      for (node_id p : *edges)
        if (contains(heads, p) && !contains(replaced, p)) replaced.push_back(p);
    state.applied[static_cast<size_t>(step)] = 1;
    if (replaced.empty()) {
      change.inserts.push_back(graph.revision(step));
    } else {
      for (size_t i = 0; i + 1 < replaced.size(); ++i)
        change.deletes.push_back(graph.revision(replaced[i]));
      change.update_from = graph.revision(replaced.back());
      change.update_to = graph.revision(step);
    }
    heads.erase(std::remove_if(heads.begin(), heads.end(),
                               [&](node_id h) { return contains(replaced, h); }),
                heads.end());
    heads.push_back(step);
    return change;
  }

  // Downgrade: the step leaves; each parent or dependency that nothing applied
  // still sits on becomes a head again.
  state.applied[static_cast<size_t>(step)] = 0;
  heads.erase(std::remove(heads.begin(), heads.end(), step), heads.end());
  std::vector<node_id> uncovered;
  for (const auto* edges : {&graph.parents(step), &graph.dependencies(step)}) {
    for (node_id p : *edges) {
      bool covered = false;
      for (const auto* up : {&graph.children(p), &graph.dependents(p)})
        for (node_id c : *up)
          if (state.applied[static_cast<size_t>(c)]) covered = true;
      // Still needed below another head: the other head's row implies it.
      if (!covered && !contains(uncovered, p) && !contains(heads, p)) uncovered.push_back(p);
    }
  }
  if (uncovered.empty()) {
    change.deletes.push_back(graph.revision(step));
  } else {
    change.update_from = graph.revision(step);
    change.update_to = graph.revision(uncovered.front());
    for (size_t i = 1; i < uncovered.size(); ++i)
      change.inserts.push_back(graph.revision(uncovered[i]));
  }
  for (node_id p : uncovered) heads.push_back(p);
  return change;
}

bool has_unfilled_upgrade(const revision_graph& graph, node_id id) {
  const migration& m = graph.at(id);
  if (m.kind != migration_kind::sql || m.empty || graph.parents(id).size() > 1) return false;
  return section_statements(m.upgrade).empty();
}

std::string unfilled_upgrade_message(const migration& m) {
  return "revision '" + m.revision +
         "' has an empty upgrade section (written by 'new' and not filled in yet?); write its "
         "SQL, or add '-- migrate:empty true' to its header if it is meant to change nothing";
}

}  // namespace migration_tools
