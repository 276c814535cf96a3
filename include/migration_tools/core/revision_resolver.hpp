// Alembic's revision identifier grammar: head, heads, base, ids and unique
// prefixes, branch labels, relative steps (+N, -N, rev+N, rev-N, head-N, base+N)
// and branch-qualified identifiers `X@Y`.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "migration_tools/core/revision_graph.hpp"

namespace migration_tools {

// A position in the graph: a set of revisions, empty meaning `base`.
using revision_set = std::vector<node_id>;

// The branch that `X@...` names. X is a branch label or a revision; either
// way the branch is the lineage of the revision it names (its ancestors and
// descendants over down_revision edges), as in Alembic, so that `c1branch@b`
// accepts the branch point b below the labelled revision.
struct branch_scope {
  std::string name;  // X as written
  node_id anchor = -1;
  std::vector<char> members;  // mask over the graph's nodes
  bool contains(node_id id) const { return members[static_cast<size_t>(id)] != 0; }
};

// What an identifier names: the revisions, and for `X@Y` the branch, which a
// downgrade uses to leave the other branches alone.
struct resolved_target {
  revision_set revisions;
  std::optional<branch_scope> branch;
};

class revision_resolver {
 public:
  // `current` is the database's current heads (relative steps start there).
  revision_resolver(const revision_graph& graph, revision_set current)
      : graph_(graph), current_(std::move(current)) {}

  // Resolves any identifier; throws revision_error.
  resolved_target resolve_target(std::string_view identifier) const;
  // The revisions of resolve_target().
  revision_set resolve(std::string_view identifier) const;

  // One revision id, unique prefix or branch label (no keywords, no steps).
  node_id resolve_single(std::string_view identifier) const;
  // X of `X@Y`: a branch label, a revision, or a unique prefix of either.
  branch_scope resolve_branch(std::string_view name) const;

 private:
  revision_set resolve_plain(std::string_view spec) const;
  revision_set resolve_in_branch(std::string_view spec, std::string_view whole,
                                 const branch_scope& branch) const;
  node_id resolve_member(std::string_view spec, const branch_scope& branch) const;
  revision_set start_on_branch(const branch_scope& branch, long steps,
                               std::string_view whole) const;
  // `within`: the walk only steps onto these nodes (a branch's members).
  revision_set walk(revision_set from, long steps, std::string_view spec,
                    const std::vector<char>* within = nullptr) const;
  revision_set single_head(std::string_view spec) const;

  const revision_graph& graph_;
  revision_set current_;
};

// `a, b, c` with quotes, for messages.
std::string list_revisions(const revision_graph& graph, const revision_set& ids);

}  // namespace migration_tools
