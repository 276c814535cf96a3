// The graphs of ALEMBIC_SEMANTICS.md's scenarios, shared by the unit tests.
#pragma once

#include "graph_helpers.hpp"

namespace test_helpers {

// Scenario 4: a -> b; c1 (c1branch) <- b; d1 <- c1; c2 (c2branch) <- b; d2 <- c2.
inline migration_tools::revision_graph two_branches() {
  return build_graph({{"a", ""},
                      {"b", "a"},
                      {"c1", "b", "c1branch"},
                      {"d1", "c1"},
                      {"c2", "b", "c2branch"},
                      {"d2", "c2"}});
}

// Scenario 5: a (abranch) -> b -> somelongername -> c; d -> e (ebranch) -> someothername -> f.
inline migration_tools::revision_graph labelled_chains() {
  return build_graph({{"a", "", "abranch"},
                      {"b", "a"},
                      {"somelongername", "b"},
                      {"c", "somelongername"},
                      {"d", ""},
                      {"e", "d", "ebranch"},
                      {"someothername", "e"},
                      {"f", "someothername"}});
}

inline migration_tools::revision_graph linear() {
  return build_graph({{"a", ""}, {"b", "a"}, {"c", "b"}, {"d", "c"}, {"e", "d"}});
}

inline migration_tools::revision_graph diamond() {
  return build_graph({{"a", ""}, {"b1", "a"}, {"b2", "a"}, {"c", "b1 b2"}, {"d", "c"}});
}

inline migration_tools::revision_graph twin_merge() {
  return build_graph({{"a", ""},
                      {"b1", "a"},
                      {"b2", "a"},
                      {"b3", "a"},
                      {"c1", "b1 b2 b3"},
                      {"c2", "b1 b2 b3"},
                      {"d1", "c1"},
                      {"d2", "c2"}});
}

inline migration_tools::revision_graph effective_head() {
  return build_graph(
      {{"a1", "", "lib_a"}, {"a2", "a1"}, {"b1", "", "lib_b"}, {"b2", "b1", "", "a2"}});
}

}  // namespace test_helpers
