// `stamp`: sets the version rows to other revisions without running any
// migration, the way Alembic's ScriptDirectory._stamp_revs does.
#pragma once

#include <string>
#include <vector>

#include "migration_tools/core/planner.hpp"

namespace migration_tools {

struct stamp_plan {
  std::vector<node_id> heads;  // the version rows afterwards, in topological order
  version_change change;       // deletes and inserts from the rows before
  bool purge = false;          // the table is emptied first, whatever it holds
};

// Each target moves only the current rows it is related to:
// - a revision replaces the current rows that are its ancestors or
//   descendants (a stamp up or down its line), or is added as a new row when
//   none is (another branch);
// - `base` deletes every row, `X@base` only the rows on X's lineage;
// - a revision already in the rows changes nothing.
// All targets are read against the rows as they were (their order does not
// matter), and the result keeps one row per head: a row below another row is
// dropped, so `stamp a d1` on a chain leaves d1 alone.
// With `purge` the current rows are ignored (they may name revisions this
// runner does not know) and the table is emptied first.
// Throws revision_error for a bad identifier or no targets.
stamp_plan plan_stamp(const revision_graph& graph, const applied_state& state,
                      const std::vector<std::string>& targets, bool purge);

}  // namespace migration_tools
