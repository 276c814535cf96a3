// Internal to the resolver: the lexical pieces of revision identifiers and the
// lookups that both plain and branch-qualified identifiers share.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "migration_tools/core/revision_graph.hpp"

namespace migration_tools::identifier_syntax {

inline std::string quoted(std::string_view s) {
  return "'" + std::string(s) + "'";
}

// Splits `rev+N` / `rev-N` / `+N` / `-N`; false when there is no relative part.
bool split_relative(std::string_view spec, std::string_view& base, long& steps);

// An exact revision id, else an exact branch label: -1 when neither.
node_id exact_match(const revision_graph& graph, std::string_view spec);
// Revisions whose id or one of whose own labels starts with `spec`, sorted by
// revision id (the order in which an ambiguity lists them).
std::vector<node_id> prefix_matches(const revision_graph& graph, std::string_view spec);
// The error for a spec that matched nothing: malformed or simply unknown.
[[noreturn]] void throw_no_match(std::string_view spec);

}  // namespace migration_tools::identifier_syntax
