#include "migration_tools/core/stamp.hpp"

#include <algorithm>

namespace migration_tools {

namespace {

bool contains(const std::vector<node_id>& v, node_id id) {
  return std::find(v.begin(), v.end(), id) != v.end();
}

}  // namespace

stamp_plan plan_stamp(const revision_graph& graph, const applied_state& state,
                      const std::vector<std::string>& targets, bool purge) {
  if (targets.empty())
    throw revision_error("stamp needs at least one revision ('base' empties the version table)");
  std::vector<node_id> before = purge ? std::vector<node_id>{} : state.heads;
  // Relative targets (`-1`, `X@+1`) start from the current rows.
  revision_resolver resolver(graph, before);
  std::vector<resolved_target> resolved;
  for (const auto& t : targets) resolved.push_back(resolver.resolve_target(t));

  // Every target acts on the rows as they were, so the order of the targets
  // does not matter. Lineage here includes depends_on edges (Alembic's
  // filter_for_lineage with include_dependencies): a row that depends on the
  // stamped line moves too.
  std::vector<char> removed(graph.size(), 0);
  std::vector<node_id> added;
  auto remove_related = [&](const std::vector<char>& lineage) {
    for (node_id r : before)
      if (lineage[static_cast<size_t>(r)]) removed[static_cast<size_t>(r)] = 1;
  };
  for (const auto& target : resolved) {
    if (target.revisions.empty()) {
      if (target.branch)
        remove_related(graph.lineage({target.branch->anchor}, edge_kind::all));
      else
        remove_related(std::vector<char>(graph.size(), 1));
      continue;
    }
    for (node_id dest : target.revisions) {
      if (!contains(added, dest)) added.push_back(dest);
      if (!contains(before, dest)) remove_related(graph.lineage({dest}, edge_kind::all));
    }
  }
  std::vector<node_id> rows = added;
  for (node_id r : before)
    if (!removed[static_cast<size_t>(r)] && !contains(rows, r)) rows.push_back(r);

  stamp_plan plan;
  plan.purge = purge;
  plan.heads = graph.heads_of(graph.closure_down(rows));
  for (node_id id : before)
    if (!contains(plan.heads, id)) plan.change.deletes.push_back(graph.revision(id));
  for (node_id id : plan.heads)
    if (!contains(before, id)) plan.change.inserts.push_back(graph.revision(id));
  return plan;
}

}  // namespace migration_tools
