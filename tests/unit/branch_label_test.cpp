// Branch labels and the `X@Y` grammar: which revisions a label names, and
// what `label@head`, `label@base`, `label@rev`, `rev@rev` and the relative
// forms resolve to (Alembic's LabeledBranchTest and BranchedPathTest).
#include <algorithm>
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "alembic_scenarios.hpp"
#include "graph_helpers.hpp"
#include "migration_tools/core/revision_resolver.hpp"

using namespace migration_tools;
using namespace test_helpers;
using Catch::Matchers::Contains;

namespace {

strings resolve(const revision_graph& g, const strings& current, const std::string& spec) {
  revision_resolver r(g, ids_of(g, current));
  return names(g, r.resolve(spec));
}

// The revisions a label is in effect on, sorted.
strings on_label(const revision_graph& g, const std::string& label) {
  strings out;
  for (node_id id = 0; id < static_cast<node_id>(g.size()); ++id)
    if (g.on_branch(id, label)) out.push_back(g.revision(id));
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

TEST_CASE("A label names its revision, the descendants and the plain ancestors", "[unit][branch]") {
  SECTION("scenario 5: down to the base when nothing branches") {
    auto g = labelled_chains();
    CHECK(on_label(g, "abranch") == strings{"a", "b", "c", "somelongername"});
    CHECK(on_label(g, "ebranch") == strings{"d", "e", "f", "someothername"});
    CHECK(g.branch_labels_of(id_of(g, "d")) == strings{"ebranch"});
    CHECK(g.on_branch(id_of(g, "f"), "ebranch"));
    CHECK_FALSE(g.on_branch(id_of(g, "f"), "abranch"));
  }
  SECTION("scenario 4: not down past the branch point") {
    auto g = two_branches();
    CHECK(on_label(g, "c1branch") == strings{"c1", "d1"});
    CHECK(on_label(g, "c2branch") == strings{"c2", "d2"});
    CHECK(g.branch_labels_of(id_of(g, "b")).empty());
  }
  SECTION("not down past a merge point; a merge above the label is a descendant") {
    auto g = build_graph({{"a", ""},
                          {"x", "a"},
                          {"y", "a"},
                          {"m", "x y"},
                          {"l", "m", "lab"},
                          {"n", "l"},
                          {"o", ""},
                          {"p", "o", "plab"},
                          {"q", "n p"}});
    CHECK(on_label(g, "lab") == strings{"l", "n", "q"});
    CHECK(on_label(g, "plab") == strings{"o", "p", "q"});
    CHECK(g.branch_labels_of(id_of(g, "q")) == strings{"lab", "plab"});
  }
  SECTION("a revision something depends on counts as a branch point") {
    auto g = build_graph({{"a", ""}, {"b", "a", "blab"}, {"x", "", "", "a"}});
    CHECK(on_label(g, "blab") == strings{"b"});
  }
  SECTION("a dependent of a labelled revision is not on its branch") {
    auto g = build_graph({{"a", "", "alab"}, {"b", "a"}, {"x", "", "", "b"}});
    CHECK(on_label(g, "alab") == strings{"a", "b"});
  }
}

TEST_CASE("Scenario 5: label@head, label@base, label@heads and label@label", "[unit][branch]") {
  auto g = labelled_chains();
  CHECK(resolve(g, {}, "abranch@head") == strings{"c"});
  CHECK(resolve(g, {}, "abranch@heads") == strings{"c"});
  CHECK(resolve(g, {}, "abranch@base").empty());
  CHECK(resolve(g, {}, "ebranch@head") == strings{"f"});
  CHECK(resolve(g, {}, "ebranch@d") == strings{"d"});
  CHECK(resolve(g, {}, "ebranch@ebranch") == strings{"e"});
  CHECK(resolve(g, {}, " ebranch@head ") == strings{"f"});
}

TEST_CASE("Scenario 5: a prefix only has to be unique on the branch", "[unit][branch]") {
  auto g = labelled_chains();
  CHECK(resolve(g, {}, "ebranch@some") == strings{"someothername"});
  CHECK(resolve(g, {}, "abranch@some") == strings{"somelongername"});
  CHECK(resolve(g, {}, "ebranch@ebr") == strings{"e"});
}

TEST_CASE("Scenario 5: a revision off the branch is not a member of it", "[unit][branch]") {
  auto g = labelled_chains();
  revision_resolver r(g, {});
  CHECK_THROWS_AS(r.resolve("ebranch@b"), revision_error);
  CHECK_THROWS_WITH(r.resolve("ebranch@b"), "revision 'b' is not a member of branch 'ebranch'");
  CHECK_THROWS_WITH(r.resolve("abranch@d"), "revision 'd' is not a member of branch 'abranch'");
  CHECK_THROWS_WITH(r.resolve("abranch@so.me"), "malformed revision identifier 'so.me'");
  CHECK_THROWS_WITH(r.resolve("abranch@someoth"),
                    "revision 'someothername' is not a member of branch 'abranch'");
  CHECK_THROWS_WITH(r.resolve("ebranch@b+1"), "revision 'b' is not a member of branch 'ebranch'");
}

TEST_CASE("Scenario 5: an unknown branch or revision after @ says which", "[unit][branch]") {
  auto g = labelled_chains();
  revision_resolver r(g, {});
  CHECK_THROWS_AS(r.resolve("x@d"), revision_error);
  CHECK_THROWS_WITH(r.resolve("x@d"), "no such branch 'x'");
  CHECK_THROWS_WITH(r.resolve("x@head"), "no such branch 'x'");
  CHECK_THROWS_WITH(r.resolve("abranch@q"), "no revision or branch label matches 'q'");
  CHECK_THROWS_WITH(r.resolve("abranch@"),
                    "missing revision after '@' in 'abranch@'; write abranch@head, abranch@base "
                    "or abranch@<rev>");
  CHECK_THROWS_WITH(r.resolve("@head"), "missing branch before '@' in '@head'; write <label>@head");
  CHECK_THROWS_WITH(r.resolve("abranch@c@d"), "malformed revision identifier 'c@d'");
}

TEST_CASE("X may be a revision or a prefix, meaning the branch that contains it",
          "[unit][branch]") {
  auto g = labelled_chains();
  CHECK(resolve(g, {}, "e@d") == strings{"d"});
  CHECK(resolve(g, {}, "someoth@d") == strings{"d"});
  CHECK(resolve(g, {}, "e@base").empty());
  CHECK(resolve(g, {}, "c@head") == strings{"c"});
  CHECK(resolve(g, {}, "somelong@head") == strings{"c"});
  revision_resolver r(g, {});
  CHECK_THROWS_WITH(r.resolve("some@head"),
                    "branch prefix 'some' is ambiguous; it matches 'somelongername', "
                    "'someothername'");
  CHECK_THROWS_WITH(r.resolve("c@d"), "revision 'd' is not a member of branch 'c'");
}

TEST_CASE("An ambiguous prefix on a branch lists the candidates on it", "[unit][branch]") {
  auto g =
      build_graph({{"a", "", "root"}, {"b1aa", "a"}, {"b1ab", "b1aa"}, {"x", ""}, {"b1ac", "x"}});
  revision_resolver r(g, {});
  CHECK_THROWS_WITH(r.resolve("root@b1a"),
                    "revision prefix 'b1a' is ambiguous on branch 'root'; it matches 'b1aa', "
                    "'b1ab'");
  CHECK(resolve(g, {}, "x@b1a") == strings{"b1ac"});
  auto h = build_graph({{"a", "", "root"}, {"q1", ""}, {"q2", ""}});
  revision_resolver rh(h, {});
  CHECK_THROWS_WITH(rh.resolve("root@q"),
                    "no member of branch 'root' matches 'q'; it matches 'q1', 'q2' on other "
                    "branches");
}

TEST_CASE("label@head with several heads on the branch is an error listing them",
          "[unit][branch]") {
  auto g = build_graph({{"a", "", "root"}, {"b1", "a"}, {"b2", "a"}});
  revision_resolver r(g, {});
  CHECK_THROWS_AS(r.resolve("root@head"), revision_error);
  CHECK_THROWS_WITH(r.resolve("root@head"),
                    "'root@head' is ambiguous: branch 'root' has several heads ('b1', 'b2'); "
                    "name one by its revision, use 'root@heads', or merge them with "
                    "'merge heads'");
  CHECK(resolve(g, {}, "root@heads") == strings{"b1", "b2"});
  CHECK(resolve(g, {}, "b2@head") == strings{"b2"});
}

TEST_CASE("label@head counts an effective head of the branch", "[unit][branch]") {
  // Scenario 7: b2 depends on a2, so a2 is no real head, but it is lib_a's head.
  auto g =
      build_graph({{"a1", "", "lib_a"}, {"a2", "a1"}, {"b1", "", "lib_b"}, {"b2", "b1", "", "a2"}});
  CHECK(resolve(g, {}, "lib_a@head") == strings{"a2"});
  CHECK(resolve(g, {}, "lib_b@head") == strings{"b2"});
  CHECK(resolve(g, {}, "lib_a@head-1") == strings{"a1"});
}

TEST_CASE("Scenario 4: relative steps on a branch", "[unit][branch]") {
  auto g = two_branches();
  SECTION("label@head-N walks down from the branch's head") {
    CHECK(resolve(g, {"b"}, "c2branch@head-1") == strings{"c2"});
    CHECK(resolve(g, {}, "c1branch@head-2") == strings{"b"});
    CHECK(resolve(g, {}, "c1branch@head-4").empty());
  }
  SECTION("label@base+N walks up from base along the branch only") {
    CHECK(resolve(g, {}, "c2branch@base+2") == strings{"b"});
    CHECK(resolve(g, {}, "c2branch@base+3") == strings{"c2"});
    CHECK(resolve(g, {}, "c1branch@base+4") == strings{"d1"});
    revision_resolver r(g, {});
    CHECK_THROWS_WITH(r.resolve("c1branch@base+5"),
                      "cannot walk 'c1branch@base+5': only 4 of 5 steps are possible upwards");
    CHECK_THROWS_WITH(r.resolve("base+3"), Contains("ambiguous walk"));
  }
  SECTION("label@rev+N walks up from a member along the branch") {
    CHECK(resolve(g, {}, "c2branch@b+1") == strings{"c2"});
    CHECK(resolve(g, {}, "c1branch@a+3") == strings{"d1"});
    CHECK(resolve(g, {}, "d2@b+2") == strings{"d2"});
  }
  SECTION("label@-N walks down from the current head on the branch") {
    CHECK(resolve(g, {"d1", "d2"}, "c1branch@-1") == strings{"c1"});
    CHECK(resolve(g, {"d1", "d2"}, "c2branch@-2") == strings{"b"});
    CHECK(resolve(g, {"d1", "c2"}, "c2branch@-1") == strings{"b"});
  }
  SECTION("label@+N walks up from the current head on the branch") {
    CHECK(resolve(g, {"c1"}, "c2branch@+1") == strings{"c2"});
    CHECK(resolve(g, {"c1", "c2"}, "c2branch@+1") == strings{"d2"});
    CHECK(resolve(g, {"c1", "c2"}, "c1branch@+1") == strings{"d1"});
    CHECK(resolve(g, {}, "c2branch@+3") == strings{"c2"});
    CHECK(resolve(g, {"a"}, "c1branch@+2") == strings{"c1"});
  }
  SECTION("a walk past the end of a branch says how far it got") {
    revision_resolver r(g, ids_of(g, {"d1", "c2"}));
    CHECK_THROWS_WITH(r.resolve("c2branch@+2"),
                      "cannot walk 'c2branch@+2': only 1 of 2 steps are possible upwards");
    CHECK_THROWS_WITH(r.resolve("c1branch@-5"),
                      "cannot walk 'c1branch@-5': only 4 of 5 steps are possible downwards");
  }
  SECTION("label@-N with nothing of the branch at a current head is an error") {
    revision_resolver r(g, ids_of(g, {"c1"}));
    CHECK_THROWS_WITH(r.resolve("c2branch@-1"),
                      "cannot walk 'c2branch@-1': no current revision is on branch 'c2branch'");
  }
  SECTION("label@-N from a branch hidden behind a dependent's row") {
    // Alembic's MultipleBranchEffectiveHead: y2 depends on x1.
    auto h = build_graph({{"y1", "", "y"}, {"x1", "", "x"}, {"y2", "y1", "", "x1"}, {"x2", "x1"}});
    CHECK(resolve(h, {"y2"}, "x@-1").empty());
    CHECK(resolve(h, {"x2", "y2"}, "x@-1") == strings{"x1"});
  }
}

TEST_CASE("A walk on a branch picks the branch's way through a merge", "[unit][branch]") {
  // Better than Alembic, which calls any walk down through a merge ambiguous:
  // on a branch only the parent on that branch counts.
  auto g = build_graph({{"a", ""}, {"c1", "a", "lab"}, {"x", ""}, {"m", "c1 x"}, {"n", "m"}});
  CHECK(resolve(g, {}, "lab@n-2") == strings{"c1"});
  revision_resolver r(g, {});
  CHECK_THROWS_WITH(r.resolve("n-2"), Contains("reaches the merge point 'm'"));
}

TEST_CASE("resolve_target keeps the branch of X@Y", "[unit][branch]") {
  auto g = two_branches();
  revision_resolver r(g, {});
  auto plain = r.resolve_target("d2");
  CHECK_FALSE(plain.branch.has_value());
  auto scoped = r.resolve_target("c2branch@base+2");
  CHECK(names(g, scoped.revisions) == strings{"b"});
  REQUIRE(scoped.branch.has_value());
  CHECK(scoped.branch->name == "c2branch");
  CHECK(g.revision(scoped.branch->anchor) == "c2");
  CHECK(mask_names(g, scoped.branch->members) == strings{"a", "b", "c2", "d2"});
  auto by_revision = r.resolve_target("d1@b");
  REQUIRE(by_revision.branch.has_value());
  CHECK(mask_names(g, by_revision.branch->members) == strings{"a", "b", "c1", "d1"});
}
