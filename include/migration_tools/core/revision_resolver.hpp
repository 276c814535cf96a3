// Alembic's revision identifier grammar: head, heads, base, ids and unique
// prefixes, branch labels, relative steps (+N, -N, rev+N, rev-N, head-N, base+N).
#pragma once

#include <string_view>
#include <vector>

#include "migration_tools/core/revision_graph.hpp"

namespace migration_tools {

// A position in the graph: a set of revisions, empty meaning `base`.
using revision_set = std::vector<node_id>;

class revision_resolver {
 public:
  // `current` is the database's current heads (relative steps start there).
  revision_resolver(const revision_graph& graph, revision_set current)
      : graph_(graph), current_(std::move(current)) {}

  // Resolves any identifier to the revisions it names; throws revision_error.
  revision_set resolve(std::string_view identifier) const;

  // One revision id, unique prefix or branch label (no keywords, no steps).
  node_id resolve_single(std::string_view identifier) const;

 private:
  revision_set walk(revision_set from, long steps, std::string_view spec) const;
  revision_set single_head(std::string_view spec) const;

  const revision_graph& graph_;
  revision_set current_;
};

// `a, b, c` with quotes, for messages.
std::string list_revisions(const revision_graph& graph, const revision_set& ids);

}  // namespace migration_tools
