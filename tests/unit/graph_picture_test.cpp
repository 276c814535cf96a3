// `history --format dot|mermaid` (issue 32): the revision graph as a picture.
#include "migration_tools/core/graph_picture.hpp"

#include <catch2/catch.hpp>

#include "graph_helpers.hpp"

using namespace migration_tools;
using namespace test_helpers;
using Catch::Matchers::Contains;

namespace {

// A base, two branches (one labelled), a merge, and a dependency across.
revision_graph sample() {
  return revision_graph::build_or_throw(make_migrations({{"base1", ""},
                                                         {"left1", "base1", "left"},
                                                         {"right1", "base1", "", "left1"},
                                                         {"merge1", "left1 right1"},
                                                         {"tip1", "merge1"}}));
}

}  // namespace

TEST_CASE("the graph as DOT: a node per revision, parent to child, dependencies dashed",
          "[unit][graph]") {
  auto g = sample();
  std::vector<char> current(g.size(), 0);
  current[static_cast<size_t>(g.find("merge1"))] = 1;
  std::string dot = graph_picture(g, picture_format::dot, current);
  CHECK_THAT(dot, Contains("digraph migrations {"));
  CHECK_THAT(dot, Contains("\"left1\" [label=\"left1 (left)\\nleft1 message\"]"));
  CHECK_THAT(dot, Contains("\"left1\" -> \"merge1\";"));
  CHECK_THAT(dot, Contains("\"right1\" -> \"merge1\";"));
  CHECK_THAT(dot, Contains("\"left1\" -> \"right1\" [style=dashed, label=\"depends on\"];"));
  CHECK_THAT(dot, Contains("\"tip1\" [label=\"tip1\\ntip1 message\", style=bold]"));
  CHECK_THAT(dot, Contains("\"merge1\" [label=\"merge1\\nmerge1 message\", color=blue"));
  CHECK(dot.back() == '\n');
}

TEST_CASE("the graph as Mermaid: node ids that are safe, heads and current revisions styled",
          "[unit][graph]") {
  auto g = sample();
  std::vector<char> current(g.size(), 0);
  current[static_cast<size_t>(g.find("tip1"))] = 1;
  std::string m = graph_picture(g, picture_format::mermaid, current);
  auto id = [&](const char* rev) { return "r" + std::to_string(g.find(rev)); };
  CHECK(m.rfind("flowchart BT\n", 0) == 0);
  CHECK_THAT(m, Contains(id("left1") + "[\"left1 (left)<br/>left1 message\"]"));
  CHECK_THAT(m, Contains(id("base1") + " --> " + id("left1")));
  CHECK_THAT(m, Contains(id("left1") + " -. depends on .-> " + id("right1")));
  CHECK_THAT(m, Contains("class " + id("tip1") + " head"));
  CHECK_THAT(m, Contains("class " + id("tip1") + " current"));
}
