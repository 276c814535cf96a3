// Revision identifiers: head, heads, base, ids and unique prefixes, branch
// labels, relative steps, and an error that says which case went wrong.
#include "migration_tools/core/revision_resolver.hpp"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "alembic_scenarios.hpp"
#include "graph_helpers.hpp"

using namespace migration_tools;
using namespace test_helpers;
using Catch::Matchers::Contains;

namespace {

// The names `spec` resolves to, given the database's current heads.
strings resolve(const revision_graph& g, const strings& current, const std::string& spec) {
  revision_resolver r(g, ids_of(g, current));
  return names(g, r.resolve(spec));
}

}  // namespace

TEST_CASE("head, heads and base resolve on a linear history", "[unit][resolver]") {
  auto g = linear();
  CHECK(resolve(g, {"b"}, "head") == strings{"e"});
  CHECK(resolve(g, {"b"}, "heads") == strings{"e"});
  CHECK(resolve(g, {"b"}, "base").empty());
  CHECK(resolve(g, {}, "  head  ") == strings{"e"});
}

TEST_CASE("head with several heads is an error that lists them and says what to do",
          "[unit][resolver]") {
  auto g = build_graph({{"a", ""}, {"b1", "a"}, {"b2", "a"}});
  revision_resolver r(g, {});
  CHECK_THROWS_AS(r.resolve("head"), revision_error);
  CHECK_THROWS_WITH(r.resolve("head"), Contains("several heads ('b1', 'b2')"));
  CHECK_THROWS_WITH(r.resolve("head"), Contains("<label>@head"));
  CHECK_THROWS_WITH(r.resolve("head"), Contains("'heads'"));
  CHECK_THROWS_WITH(r.resolve("head"), Contains("merge heads"));
  CHECK(resolve(g, {}, "heads") == strings{"b1", "b2"});
}

TEST_CASE("heads and head leave out an effective head", "[unit][resolver]") {
  // Scenario 7: b2 depends on a2, so a2 is only an effective head.
  auto g =
      build_graph({{"a1", "", "lib_a"}, {"a2", "a1"}, {"b1", "", "lib_b"}, {"b2", "b1", "", "a2"}});
  CHECK(resolve(g, {}, "heads") == strings{"b2"});
  CHECK(resolve(g, {}, "head") == strings{"b2"});
}

TEST_CASE("A full revision id or a unique prefix resolves to the revision", "[unit][resolver]") {
  auto g = build_graph({{"ae1027a6acf", ""},
                        {"27c6a30d7c24", "ae1027a6acf"},
                        {"1975ea83b712", "27c6a30d7c24"},
                        {"27c6b0000000", "1975ea83b712"}});
  CHECK(resolve(g, {}, "ae1027a6acf") == strings{"ae1027a6acf"});
  CHECK(resolve(g, {}, "ae") == strings{"ae1027a6acf"});
  CHECK(resolve(g, {}, "1975") == strings{"1975ea83b712"});
  CHECK(resolve(g, {}, "27c6a") == strings{"27c6a30d7c24"});
  revision_resolver r(g, {});
  CHECK(g.revision(r.resolve_single("27c6b")) == "27c6b0000000");
}

TEST_CASE("An ambiguous prefix is an error listing the candidates", "[unit][resolver]") {
  auto g = build_graph({{"27c6b0000000", ""}, {"27c6a30d7c24", "27c6b0000000"}, {"99", ""}});
  revision_resolver r(g, {});
  CHECK_THROWS_AS(r.resolve("27c6"), revision_error);
  CHECK_THROWS_WITH(r.resolve("27c6"),
                    "revision prefix '27c6' is ambiguous; it matches '27c6a30d7c24', "
                    "'27c6b0000000'");
  CHECK_THROWS_WITH(r.resolve_single("2"), Contains("is ambiguous"));
}

TEST_CASE("An exact id wins over a longer id it is a prefix of", "[unit][resolver]") {
  auto g = build_graph({{"ab", ""}, {"abc", "ab"}});
  CHECK(resolve(g, {}, "ab") == strings{"ab"});
  CHECK(resolve(g, {}, "abc") == strings{"abc"});
}

TEST_CASE("An unknown revision and a malformed identifier are different errors",
          "[unit][resolver]") {
  auto g = linear();
  revision_resolver r(g, {});
  CHECK_THROWS_AS(r.resolve("zz"), revision_error);
  CHECK_THROWS_WITH(r.resolve("zz"), "no revision or branch label matches 'zz'");
  CHECK_THROWS_WITH(r.resolve("a.b"), "malformed revision identifier 'a.b'");
  CHECK_THROWS_WITH(r.resolve("a/b"), "malformed revision identifier 'a/b'");
}

TEST_CASE("An empty identifier is an error", "[unit][resolver]") {
  auto g = linear();
  revision_resolver r(g, {});
  CHECK_THROWS_AS(r.resolve(""), revision_error);
  CHECK_THROWS_WITH(r.resolve("   "), Contains("empty revision identifier"));
}

TEST_CASE("Resolution errors are usage errors", "[unit][resolver]") {
  auto g = linear();
  revision_resolver r(g, {});
  CHECK_THROWS_AS(r.resolve("zz"), usage_error);
  CHECK_THROWS_AS(r.resolve("zz"), migration_tools::error);
}

TEST_CASE("A branch label or a unique prefix of one resolves to the revision carrying it",
          "[unit][resolver]") {
  // Scenario 5, the parts without `@`.
  auto g = labelled_chains();
  CHECK(resolve(g, {}, "abranch") == strings{"a"});
  CHECK(resolve(g, {}, "abr") == strings{"a"});
  CHECK(resolve(g, {}, "ebranch") == strings{"e"});
  CHECK(resolve(g, {}, "ebr") == strings{"e"});
  CHECK(resolve(g, {}, "somel") == strings{"somelongername"});
  CHECK(resolve(g, {}, "someo") == strings{"someothername"});
  revision_resolver r(g, {});
  CHECK_THROWS_WITH(r.resolve("some"),
                    "revision prefix 'some' is ambiguous; it matches 'somelongername', "
                    "'someothername'");
  CHECK_THROWS_WITH(r.resolve("x"), "no revision or branch label matches 'x'");
}

TEST_CASE("Relative steps walk from the current revision", "[unit][resolver]") {
  // Scenario 2 (linear a-b-c-d-e), identifiers only.
  auto g = linear();
  CHECK(resolve(g, {"a"}, "+2") == strings{"c"});
  CHECK(resolve(g, {"a"}, "b+2") == strings{"d"});
  CHECK(resolve(g, {"a"}, "d-2") == strings{"b"});
  CHECK(resolve(g, {"e"}, "-3") == strings{"b"});
  CHECK(resolve(g, {"d"}, "a+2") == strings{"c"});
  CHECK(resolve(g, {"d"}, "c-2") == strings{"a"});
  CHECK(resolve(g, {"c"}, "+0") == strings{"c"});
}

TEST_CASE("Relative steps from head and base", "[unit][resolver]") {
  auto g = linear();
  CHECK(resolve(g, {}, "head-1") == strings{"d"});
  CHECK(resolve(g, {}, "head-4") == strings{"a"});
  CHECK(resolve(g, {}, "head-5").empty());
  CHECK(resolve(g, {"c"}, "base+1") == strings{"a"});
  CHECK(resolve(g, {"c"}, "base+2") == strings{"b"});
  CHECK(resolve(g, {}, "+1") == strings{"a"});
}

TEST_CASE("Walking down past the first revision reaches base, one more step is an error",
          "[unit][resolver]") {
  auto g = linear();
  CHECK(resolve(g, {"b"}, "-2").empty());
  CHECK(resolve(g, {"a"}, "-1").empty());
  revision_resolver r(g, ids_of(g, {"a"}));
  CHECK_THROWS_AS(r.resolve("-2"), revision_error);
  CHECK_THROWS_WITH(r.resolve("-2"), "cannot walk '-2': only 1 of 2 steps are possible downwards");
  CHECK_THROWS_WITH(r.resolve("e-6"),
                    "cannot walk 'e-6': only 5 of 6 steps are possible downwards");
}

TEST_CASE("A walk past the last revision says how many steps it could make", "[unit][resolver]") {
  auto g = linear();
  revision_resolver r(g, ids_of(g, {"b"}));
  CHECK_THROWS_AS(r.resolve("+5"), revision_error);
  CHECK_THROWS_WITH(r.resolve("+5"), "cannot walk '+5': only 3 of 5 steps are possible upwards");
  CHECK_THROWS_WITH(r.resolve("head+1"),
                    "cannot walk 'head+1': only 0 of 1 steps are possible upwards");
  CHECK_THROWS_WITH(r.resolve("base+6"), Contains("only 5 of 6 steps"));
}

TEST_CASE("A walk upwards from several current heads is ambiguous", "[unit][resolver]") {
  // Scenario 4: from {c1, c2}, +1 is ambiguous.
  auto g = two_branches();
  revision_resolver r(g, ids_of(g, {"c1", "c2"}));
  CHECK_THROWS_AS(r.resolve("+1"), revision_error);
  CHECK_THROWS_WITH(r.resolve("+1"),
                    "ambiguous walk: '+1' starts from several revisions ('c1', 'c2')");
}

TEST_CASE("A walk downwards from several current heads is an error naming them",
          "[unit][resolver]") {
  // Better than Alembic, which warns and picks one.
  auto g = two_branches();
  revision_resolver r(g, ids_of(g, {"d1", "d2"}));
  CHECK_THROWS_AS(r.resolve("-1"), revision_error);
  CHECK_THROWS_WITH(r.resolve("-1"), Contains("'d1', 'd2'"));
}

TEST_CASE("A walk that meets a fork or a merge is ambiguous", "[unit][resolver]") {
  SECTION("upwards through a branch point") {
    auto g = two_branches();
    revision_resolver r(g, {});
    CHECK_THROWS_WITH(r.resolve("b+1"),
                      "ambiguous walk: 'b+1' reaches a branch at 'b' with 'c1', 'c2'");
    CHECK_THROWS_WITH(r.resolve("a+2"), Contains("reaches a branch at 'b'"));
    CHECK(resolve(g, {}, "a+1") == strings{"b"});
    // Scenario 4: c2branch@head-1 from b is c2; spelled by revision.
    CHECK(resolve(g, {"b"}, "d2-1") == strings{"c2"});
  }
  SECTION("downwards through a merge point") {
    auto g = build_graph({{"a", ""}, {"b1", "a"}, {"b2", "a"}, {"c", "b1 b2"}, {"d", "c"}});
    revision_resolver r(g, ids_of(g, {"d"}));
    CHECK(resolve(g, {"d"}, "-1") == strings{"c"});
    CHECK_THROWS_WITH(r.resolve("-2"),
                      "ambiguous walk: '-2' reaches the merge point 'c' with "
                      "parents 'b1', 'b2'");
  }
  SECTION("upwards from base with several bases") {
    auto g = build_graph({{"a", ""}, {"x", ""}});
    revision_resolver r(g, {});
    CHECK_THROWS_WITH(r.resolve("+1"),
                      "ambiguous walk: '+1' reaches a branch at base with "
                      "'a', 'x'");
  }
}

TEST_CASE("A relative step from heads is an error", "[unit][resolver]") {
  auto g = linear();
  revision_resolver r(g, {});
  CHECK_THROWS_AS(r.resolve("heads-1"), revision_error);
  CHECK_THROWS_WITH(r.resolve("heads-1"), Contains("relative step from 'heads' is ambiguous"));
}

TEST_CASE("A relative step from a label or prefix starts at the revision it names",
          "[unit][resolver]") {
  auto g = labelled_chains();
  CHECK(resolve(g, {}, "abranch+2") == strings{"somelongername"});
  CHECK(resolve(g, {}, "ebr+1") == strings{"someothername"});
  CHECK(resolve(g, {}, "somel-1") == strings{"b"});
}

TEST_CASE("list_revisions quotes and separates revisions", "[unit][resolver]") {
  auto g = linear();
  CHECK(list_revisions(g, ids_of(g, {"a", "c"})) == "'a', 'c'");
  CHECK(list_revisions(g, ids_of(g, {"e"})) == "'e'");
  CHECK(list_revisions(g, {}).empty());
}
