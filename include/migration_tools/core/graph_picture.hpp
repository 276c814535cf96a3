// The revision graph as a picture: Graphviz DOT and Mermaid flowcharts, for
// `history --format dot|mermaid` (rendered by Graphviz, or by the Mermaid
// support of GitHub and GitLab in a README). Pure text: no database.
#pragma once

#include <string>
#include <vector>

#include "migration_tools/core/revision_graph.hpp"

namespace migration_tools {

enum class picture_format { dot, mermaid };

// Every revision with its message and branch labels, an arrow from each
// parent to its child (a merge has several), a dashed one for each
// depends_on, heads drawn bold; `current` (one flag per node, or empty)
// marks the database's current revisions.
std::string graph_picture(const revision_graph& graph, picture_format format,
                          const std::vector<char>& current = {});

}  // namespace migration_tools
