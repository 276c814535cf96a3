// Plans upgrades and downgrades over the whole graph and tracks, step by step,
// how the version rows (one per applied head) change.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "migration_tools/core/revision_graph.hpp"
#include "migration_tools/core/revision_resolver.hpp"

namespace migration_tools {

enum class direction { upgrade, downgrade };

// What is applied: the current heads and everything below them.
struct applied_state {
  std::vector<node_id> heads;
  std::vector<char> applied;  // mask over the graph's nodes
};

// From the version rows read from the database. A row naming a revision this
// runner does not know throws usage_error (the runner is older than the database).
applied_state state_from_version_rows(const revision_graph& graph,
                                      const std::vector<std::string>& rows);

struct plan {
  direction dir = direction::upgrade;
  std::vector<node_id> steps;  // in execution order
};

// Upgrade to `target` (any identifier): its ancestors not yet applied, in
// topological order. Throws revision_error for an unreachable target.
plan plan_upgrade(const revision_graph& graph, const applied_state& state, std::string_view target);
plan plan_upgrade(const revision_graph& graph, const applied_state& state,
                  const resolved_target& target);
// Downgrade to `target`: the applied descendants of it, children first. With
// `X@Y` only the descendants on branch X go: `c2branch@b` leaves c1's line.
plan plan_downgrade(const revision_graph& graph, const applied_state& state,
                    std::string_view target);
plan plan_downgrade(const revision_graph& graph, const applied_state& state,
                    const resolved_target& target);

// True for a SQL migration with one parent or none whose upgrade section
// holds no statement and whose header does not say `empty true`: most likely
// a file written by `new` and never filled in. Applying it would record it as
// done, and filling it in later would fail on its checksum. (A merge has
// nothing to do by nature.)
bool has_unfilled_upgrade(const revision_graph& graph, node_id id);
// What to tell the user of such a migration.
std::string unfilled_upgrade_message(const migration& m);

// How one step changes the version rows. Every update and delete must touch
// exactly one row when executed.
struct version_change {
  std::vector<std::string> deletes;
  std::string update_from, update_to;  // both empty: no update
  std::vector<std::string> inserts;
};

// Applies one step to `state` and returns the row changes it implies.
version_change advance(const revision_graph& graph, applied_state& state, node_id step,
                       direction dir);

}  // namespace migration_tools
