// The revision graph: validation errors, heads and bases, effective heads,
// dependency normalisation, topological order and closures.
#include "migration_tools/core/revision_graph.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include "graph_helpers.hpp"

using namespace migration_tools;
using namespace test_helpers;
using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;

namespace {

// Checks that every node comes after its parents and dependencies.
void check_parents_first(const revision_graph& g) {
  const auto& order = g.topological_order();
  REQUIRE(order.size() == g.size());
  std::vector<char> seen(g.size(), 0);
  for (node_id id : order) {
    for (node_id p : g.parents(id)) CHECK(seen[static_cast<size_t>(p)]);
    for (node_id d : g.dependencies(id)) CHECK(seen[static_cast<size_t>(d)]);
    CHECK_FALSE(seen[static_cast<size_t>(id)]);
    seen[static_cast<size_t>(id)] = 1;
  }
  for (size_t i = 0; i < order.size(); ++i) CHECK(g.topo_index(order[i]) == static_cast<int>(i));
}

}  // namespace

TEST_CASE("A linear chain has one base, one head and parents before children", "[unit][graph]") {
  auto g = build_graph({{"a", ""}, {"b", "a"}, {"c", "b"}});
  REQUIRE(g.size() == 3);
  CHECK(names(g, g.bases()) == strings{"a"});
  CHECK(names(g, g.heads()) == strings{"c"});
  CHECK(names(g, g.real_heads()) == strings{"c"});
  CHECK(names(g, g.parents(id_of(g, "b"))) == strings{"a"});
  CHECK(names(g, g.children(id_of(g, "b"))) == strings{"c"});
  CHECK(names(g, g.topological_order()) == strings{"a", "b", "c"});
  CHECK(g.at(id_of(g, "b")).message == "b message");
  CHECK(g.find("nope") == -1);
  CHECK(g.find("") == -1);
  check_parents_first(g);
}

TEST_CASE("An empty set of migrations gives an empty graph without errors", "[unit][graph]") {
  std::vector<diagnostic> ds;
  auto g = revision_graph::build(std::vector<migration>{}, ds);
  CHECK(ds.empty());
  CHECK(g.empty());
  CHECK(g.heads().empty());
  CHECK(g.bases().empty());
  CHECK(g.topological_order().empty());
}

TEST_CASE("The graph is move-only and keeps its lookups valid after a move", "[unit][graph]") {
  STATIC_REQUIRE_FALSE(std::is_copy_constructible<revision_graph>::value);
  STATIC_REQUIRE_FALSE(std::is_copy_assignable<revision_graph>::value);
  STATIC_REQUIRE(std::is_move_constructible<revision_graph>::value);
  STATIC_REQUIRE(std::is_move_assignable<revision_graph>::value);
  // Short ids live inside the strings (small-string optimisation): the lookup
  // maps' views must survive the move of the graph.
  auto g1 = build_graph({{"a", "", "alpha"}, {"b", "a"}});
  revision_graph g2 = std::move(g1);
  revision_graph g3;
  g3 = std::move(g2);
  CHECK(g3.find("a") == 0);
  CHECK(g3.find("b") == 1);
  CHECK(g3.find_label("alpha") == 0);
}

namespace {

// A source in the form embedded headers give, counting the migrations it is
// asked to make.
class counting_source final : public migration_source {
 public:
  struct header {
    std::string revision, down_revisions, branch_labels, depends_on;
  };
  explicit counting_source(std::vector<header> headers) : headers_(std::move(headers)) {
    made_.resize(headers_.size());
  }
  size_t size() const override { return headers_.size(); }
  migration_links links(size_t i) const override {
    const header& h = headers_[i];
    return {h.revision, id_list(std::string_view(h.down_revisions)),
            id_list(std::string_view(h.branch_labels)), id_list(std::string_view(h.depends_on))};
  }
  const migration& at(size_t i) const override {
    if (!made_[i]) {
      ++made_count;
      made_[i] = std::make_unique<migration>();
      made_[i]->path = "migrations/" + headers_[i].revision + ".sql";
      made_[i]->revision = headers_[i].revision;
    }
    return *made_[i];
  }
  mutable int made_count = 0;

 private:
  std::vector<header> headers_;
  mutable std::vector<std::unique_ptr<migration>> made_;
};

}  // namespace

TEST_CASE("Building a graph reads only the links: a migration is made when it is asked for",
          "[unit][graph]") {
  // 1,000 revisions in two labelled branches joined by a merge, one with a
  // dependency: what `heads` reads at start-up, made lazily.
  std::vector<counting_source::header> headers;
  headers.push_back({"r0", "", "", ""});
  for (int i = 1; i < 500; ++i)
    headers.push_back({"a" + std::to_string(i), i == 1 ? "r0" : "a" + std::to_string(i - 1),
                       i == 1 ? "left" : "", ""});
  for (int i = 1; i < 500; ++i)
    headers.push_back({"b" + std::to_string(i), i == 1 ? "r0" : "b" + std::to_string(i - 1),
                       i == 1 ? "right" : "", i == 7 ? "a3 left" : ""});
  headers.push_back({"m", "a499 b499", "", ""});
  auto owned = std::make_unique<counting_source>(headers);
  const counting_source& source = *owned;
  auto g = revision_graph::build_or_throw(std::move(owned));
  REQUIRE(g.size() == 1000);
  CHECK(source.made_count == 0);
  REQUIRE(g.heads().size() == 1);
  CHECK(g.find("m") == g.heads().front());
  CHECK(g.parents(g.find("m")).size() == 2);
  CHECK(g.find_label("right") == g.find("b1"));
  CHECK(g.branch_labels_of(g.find("b5")) == std::vector<std::string>{"right"});
  CHECK(g.dependencies(g.find("b7")) == std::vector<node_id>{g.find("a3")});
  CHECK(source.made_count == 0);
  // The one migration a command prints is made once, and stays where it is.
  const migration& head = g.at(g.heads().front());
  CHECK(head.revision == "m");
  CHECK(&g.at(g.heads().front()) == &head);
  CHECK(g.revision(g.heads().front()) == "m");
  CHECK(source.made_count == 1);
}

TEST_CASE("A graph from a lazy source reports problems at the files, as one from parsed files",
          "[unit][graph]") {
  std::vector<counting_source::header> headers = {
      {"a", "", "x", ""}, {"b", "a", "", "nowhere"}, {"a", "", "", ""}, {"c", "b", "x", ""}};
  std::vector<diagnostic> ds;
  auto g = revision_graph::build(std::make_unique<counting_source>(headers), ds);
  CHECK(g.empty());
  std::vector<std::string> messages;
  for (const auto& d : ds) messages.push_back(d.file + ": " + d.message);
  CHECK(messages == std::vector<std::string>{
                        "migrations/a.sql: duplicate revision 'a' (also defined at "
                        "migrations/a.sql:1)",
                        "migrations/c.sql: branch label 'x' is already used by revision 'a' "
                        "(migrations/a.sql:1)",
                        "migrations/b.sql: dependency 'nowhere' of 'b' is not present"});
}

TEST_CASE("A revision defined twice is an error at the second file", "[unit][graph]") {
  std::vector<migration> ms;
  ms.push_back(make_migration({"a", ""}, "migrations/one.sql"));
  ms.push_back(make_migration({"b", "a"}, "migrations/two.sql"));
  ms.push_back(make_migration({"a", ""}, "migrations/three.sql"));
  auto errors = graph_errors_from(std::move(ms));
  REQUIRE(errors.size() == 1);
  CHECK(errors[0] ==
        "migrations/three.sql:1: error: duplicate revision 'a' (also defined at "
        "migrations/one.sql:1)");
}

TEST_CASE("A missing parent is an error at the down_revision line of the child", "[unit][graph]") {
  auto errors = graph_errors({{"a", ""}, {"Y", "X"}});
  REQUIRE(errors.size() == 1);
  CHECK(errors[0] == "migrations/Y.sql:2: error: revision 'X' referenced from 'Y' is not present");
}

TEST_CASE("A missing parent of a merge is reported for each missing parent", "[unit][graph]") {
  auto errors = graph_errors({{"a", ""}, {"m", "a, p, q"}});
  REQUIRE(errors.size() == 2);
  CHECK_THAT(errors[0], Contains("revision 'p' referenced from 'm' is not present"));
  CHECK_THAT(errors[1], Contains("revision 'q' referenced from 'm' is not present"));
}

TEST_CASE("A revision that is its own parent is a self-loop", "[unit][graph]") {
  auto errors = graph_errors({{"a", "a"}});
  REQUIRE(errors.size() == 1);
  CHECK(errors[0] == "migrations/a.sql:2: error: revision 'a' lists itself as its down_revision");
}

TEST_CASE("A cycle of three revisions is an error naming all three", "[unit][graph]") {
  // Scenario 8: a <- c, b <- a, c <- b.
  auto errors = graph_errors({{"a", "c"}, {"b", "a"}, {"c", "b"}});
  REQUIRE(errors.size() == 1);
  CHECK_THAT(errors[0], StartsWith("migrations/"));
  CHECK_THAT(errors[0], Contains(".sql:2: error: cycle between revisions "));
  CHECK_THAT(errors[0], Contains("'a'"));
  CHECK_THAT(errors[0], Contains("'b'"));
  CHECK_THAT(errors[0], Contains("'c'"));
  // Parent first: b is c's parent, a is b's parent, c is a's parent.
  CHECK_THAT(errors[0], Contains("'b' -> 'c' -> 'a' -> 'b'"));
}

TEST_CASE("A cycle error names only the revisions in the cycle", "[unit][graph]") {
  auto errors = graph_errors({{"base0", ""}, {"x", "base0 y"}, {"y", "x"}, {"z", "y"}});
  REQUIRE(errors.size() == 1);
  CHECK_THAT(errors[0], Contains("cycle between revisions"));
  CHECK_THAT(errors[0], Contains("'x'"));
  CHECK_THAT(errors[0], Contains("'y'"));
  CHECK_THAT(errors[0], !Contains("base0"));
  CHECK_THAT(errors[0], !Contains("'z'"));
}

TEST_CASE("Two separate cycles are both reported", "[unit][graph]") {
  auto errors = graph_errors({{"a", "b"}, {"b", "a"}, {"c", "d"}, {"d", "c"}});
  REQUIRE(errors.size() == 2);
  CHECK_THAT(errors[0], Contains("'a'"));
  CHECK_THAT(errors[1], Contains("'c'"));
}

TEST_CASE("A cycle through depends_on is a dependency cycle", "[unit][graph]") {
  auto errors = graph_errors({{"a", ""}, {"b", "a", "", "c"}, {"c", "a", "", "b"}});
  REQUIRE(errors.size() == 1);
  CHECK_THAT(errors[0], Contains(".sql:3: error: dependency cycle between revisions"));
  CHECK_THAT(errors[0], Contains("'b'"));
  CHECK_THAT(errors[0], Contains("'c'"));
}

TEST_CASE("A dependency on a descendant is a dependency cycle", "[unit][graph]") {
  auto errors = graph_errors({{"a", "", "", "b"}, {"b", "a"}});
  REQUIRE(errors.size() == 1);
  CHECK_THAT(errors[0], Contains("dependency cycle between revisions"));
}

TEST_CASE("A missing dependency is an error at the depends_on line", "[unit][graph]") {
  auto errors = graph_errors({{"a", ""}, {"b", "a", "", "zz"}});
  REQUIRE(errors.size() == 1);
  CHECK(errors[0] == "migrations/b.sql:3: error: dependency 'zz' of 'b' is not present");
}

TEST_CASE("A revision that depends on itself is an error", "[unit][graph]") {
  auto errors = graph_errors({{"a", "", "", "a"}});
  REQUIRE(errors.size() == 1);
  CHECK(errors[0] == "migrations/a.sql:3: error: revision 'a' depends on itself");
}

TEST_CASE("A branch label used twice is an error naming both revisions", "[unit][graph]") {
  auto errors = graph_errors({{"a", "", "shared"}, {"b", "a", "other shared"}});
  REQUIRE(errors.size() == 1);
  CHECK(errors[0] ==
        "migrations/b.sql:3: error: branch label 'shared' is already used by revision 'a' "
        "(migrations/a.sql:3)");
}

TEST_CASE("build_or_throw throws every diagnostic of an invalid graph", "[unit][graph]") {
  try {
    build_graph({{"a", ""}, {"b", "x"}, {"c", "c"}});
    FAIL("no exception");
  } catch (const migration_file_error& e) {
    REQUIRE(e.diagnostics().size() == 2);
    CHECK_THAT(std::string(e.what()), Contains("migrations/b.sql:2: error: revision 'x'"));
    CHECK_THAT(std::string(e.what()), Contains("migrations/c.sql:2: error: revision 'c' lists"));
  }
}

TEST_CASE("An error already among the diagnostics does not stop a valid graph from building",
          "[unit][graph]") {
  std::vector<diagnostic> ds{{"other.sql", 1, severity::error, "unrelated"}};
  auto g = revision_graph::build(make_migrations({{"a", ""}, {"b", "a"}}), ds);
  CHECK(ds.size() == 1);
  CHECK(g.size() == 2);
}

TEST_CASE("Bases and heads of a graph with branches, merges and two roots", "[unit][graph]") {
  // a -> b1, b2 -> c (merge); x is a second root with child y; b2 -> z is a second head.
  auto g = build_graph(
      {{"a", ""}, {"b1", "a"}, {"b2", "a"}, {"c", "b1, b2"}, {"x", ""}, {"y", "x"}, {"z", "b2"}});
  CHECK(names(g, g.bases()) == strings{"a", "x"});
  CHECK(names(g, g.heads()) == strings{"c", "y", "z"});
  CHECK(g.is_branch_point(id_of(g, "a")));
  CHECK(g.is_branch_point(id_of(g, "b2")));
  CHECK_FALSE(g.is_branch_point(id_of(g, "b1")));
  CHECK(g.is_merge_point(id_of(g, "c")));
  CHECK_FALSE(g.is_merge_point(id_of(g, "z")));
  CHECK(names(g, g.parents(id_of(g, "c"))) == strings{"b1", "b2"});
  CHECK(sorted_names(g, g.children(id_of(g, "b2"))) == strings{"c", "z"});
  check_parents_first(g);
}

TEST_CASE("A head that another revision depends on is an effective head", "[unit][graph]") {
  // Scenario 7: a1 (lib_a) -> a2; b1 (lib_b) -> b2, and b2 depends on a2.
  auto g =
      build_graph({{"a1", "", "lib_a"}, {"a2", "a1"}, {"b1", "", "lib_b"}, {"b2", "b1", "", "a2"}});
  CHECK(names(g, g.heads()) == strings{"a2", "b2"});
  CHECK(names(g, g.real_heads()) == strings{"b2"});
  CHECK(g.is_effective_head(id_of(g, "a2")));
  CHECK_FALSE(g.is_effective_head(id_of(g, "b2")));
  CHECK_FALSE(g.is_effective_head(id_of(g, "a1")));
  CHECK(names(g, g.dependencies(id_of(g, "b2"))) == strings{"a2"});
  CHECK(names(g, g.dependents(id_of(g, "a2"))) == strings{"b2"});
  CHECK(g.find_label("lib_a") == id_of(g, "a1"));
  CHECK(g.find_label("lib_b") == id_of(g, "b1"));
  CHECK(g.find_label("lib_c") == -1);
  // Dependencies come before parents.
  CHECK(names(g, g.topological_order()) == strings{"a1", "a2", "b1", "b2"});
  check_parents_first(g);
}

TEST_CASE("A dependency already implied by an ancestor is dropped", "[unit][graph]") {
  auto g = build_graph({{"a", ""}, {"b", "a"}, {"c", "b", "", "a"}});
  CHECK(g.dependencies(id_of(g, "c")).empty());
  CHECK(g.dependents(id_of(g, "a")).empty());
  CHECK(names(g, g.heads()) == strings{"c"});
}

TEST_CASE("A dependency implied by another dependency is dropped", "[unit][graph]") {
  // d depends on x1 and x2, and x2 already has x1 below it.
  auto g = build_graph({{"x1", ""}, {"x2", "x1"}, {"a", ""}, {"d", "a", "", "x1 x2"}});
  CHECK(names(g, g.dependencies(id_of(g, "d"))) == strings{"x2"});
  CHECK(g.dependents(id_of(g, "x1")).empty());
  CHECK(names(g, g.dependents(id_of(g, "x2"))) == strings{"d"});
}

TEST_CASE("depends_on may name a branch label", "[unit][graph]") {
  auto g = build_graph({{"a", "", "core"}, {"b", "a"}, {"x", "", "", "core"}});
  CHECK(names(g, g.dependencies(id_of(g, "x"))) == strings{"a"});
}

TEST_CASE("The topological order finishes each branch before the merge that joins it",
          "[unit][graph]") {
  SECTION("diamond") {
    // Scenario 1.
    auto g = build_graph({{"a", ""}, {"b1", "a"}, {"b2", "a"}, {"c", "b1 b2"}, {"d", "c"}});
    CHECK(names(g, g.topological_order()) == strings{"a", "b1", "b2", "c", "d"});
    check_parents_first(g);
  }
  SECTION("long branches") {
    auto g = build_graph(
        {{"a", ""}, {"l1", "a"}, {"r1", "a"}, {"l2", "l1"}, {"r2", "r1"}, {"m", "l2 r2"}});
    CHECK(names(g, g.topological_order()) == strings{"a", "l1", "l2", "r1", "r2", "m"});
  }
  SECTION("two branches, two heads, in file order of the heads") {
    // Scenario 4.
    auto g = build_graph({{"a", ""},
                          {"b", "a"},
                          {"c1", "b", "c1branch"},
                          {"d1", "c1"},
                          {"c2", "b", "c2branch"},
                          {"d2", "c2"}});
    CHECK(names(g, g.heads()) == strings{"d1", "d2"});
    CHECK(names(g, g.topological_order()) == strings{"a", "b", "c1", "d1", "c2", "d2"});
  }
  SECTION("twin merge") {
    // Scenario 6.
    auto g = build_graph({{"a", ""},
                          {"b1", "a"},
                          {"b2", "a"},
                          {"b3", "a"},
                          {"c1", "b1 b2 b3"},
                          {"c2", "b1 b2 b3"},
                          {"d1", "c1"},
                          {"d2", "c2"}});
    CHECK(names(g, g.heads()) == strings{"d1", "d2"});
    check_parents_first(g);
  }
}

TEST_CASE("closure_down, closure_up and heads_of follow parents and dependencies",
          "[unit][graph]") {
  auto g = build_graph({{"a1", "", "lib_a"},
                        {"a2", "a1"},
                        {"b1", "", "lib_b"},
                        {"b2", "b1", "", "a2"},
                        {"b3", "b2"}});
  CHECK(mask_names(g, g.closure_down({id_of(g, "b2")})) == strings{"a1", "a2", "b1", "b2"});
  CHECK(mask_names(g, g.closure_down({})) == strings{});
  CHECK(mask_names(g, g.closure_up({id_of(g, "a1")})) == strings{"a1", "a2", "b2", "b3"});
  CHECK(mask_names(g, g.closure_up({id_of(g, "b3")})) == strings{"b3"});
  CHECK(sorted_names(g, g.heads_of(g.closure_down({id_of(g, "b2")}))) == strings{"b2"});
  CHECK(sorted_names(g, g.heads_of(g.closure_down(ids_of(g, {"a2", "b1"})))) ==
        strings{"a2", "b1"});
}

TEST_CASE("A chain of 10,000 revisions builds without exhausting the stack", "[unit][graph]") {
  const int n = 10000;
  auto g = build_graph(chain(n));
  REQUIRE(g.size() == static_cast<size_t>(n));
  CHECK(names(g, g.heads()) == strings{"r9999"});
  CHECK(names(g, g.bases()) == strings{"r0"});
  const auto& order = g.topological_order();
  REQUIRE(order.size() == static_cast<size_t>(n));
  CHECK(g.revision(order.front()) == "r0");
  CHECK(g.revision(order.back()) == "r9999");
  CHECK(g.topo_index(id_of(g, "r5000")) == 5000);
  auto below = g.closure_down({id_of(g, "r9999")});
  CHECK(std::count(below.begin(), below.end(), 1) == n);
  auto above = g.closure_up({id_of(g, "r0")});
  CHECK(std::count(above.begin(), above.end(), 1) == n);
}

TEST_CASE("A cycle of 10,000 revisions is found without exhausting the stack", "[unit][graph]") {
  auto revs = chain(10000);
  revs[0].down = "r9999";
  auto errors = graph_errors(revs);
  REQUIRE(errors.size() == 1);
  CHECK_THAT(errors[0], Contains("cycle between revisions"));
  CHECK_THAT(errors[0], Contains("'r0'"));
  CHECK_THAT(errors[0], Contains("'r9999'"));
}
