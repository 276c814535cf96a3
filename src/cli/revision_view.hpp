// How revisions are shown: Alembic's one-line and verbose text forms, and the
// JSON form documented in the README.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "migration_tools/core/revision_graph.hpp"

namespace migration_tools::cli {

// `parent -> rev (label) (head) (current) (branchpoint) (mergepoint), message`
std::string revision_line(const revision_graph& g, node_id id, const std::vector<char>* current);
// Rev:, Parent:, Path: ... then the message, indented.
std::string revision_block(const revision_graph& g, node_id id, const std::vector<char>* current);
// {"revision", "down_revisions", "message", "path", "created", "branch_labels",
//  "depends_on", "is_head", "is_effective_head", "is_branch_point",
//  "is_merge_point"} plus "is_current" when `current` is given.
nlohmann::json revision_json(const revision_graph& g, node_id id, const std::vector<char>* current);

}  // namespace migration_tools::cli
