// stamp: the version rows move without running migrations. Scenario 9 of
// ALEMBIC_SEMANTICS.md and Alembic's stamp tests (test_version_traversal.py).
#include "migration_tools/core/stamp.hpp"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "alembic_scenarios.hpp"
#include "graph_helpers.hpp"
#include "simulated_database.hpp"

using namespace migration_tools;
using namespace test_helpers;
using Catch::Matchers::Contains;

namespace {

strings stamped(const revision_graph& g, const strings& rows, const strings& targets,
                bool purge = false) {
  database db(g, rows);
  db.stamp(targets, purge);
  return db.rows();
}

}  // namespace

TEST_CASE("Scenario 9: stamp on two labelled branches at d1 and c2", "[unit][stamp]") {
  auto g = two_branches();
  CHECK(stamped(g, {"d1", "c2"}, {"b"}) == strings{"b"});
  CHECK(stamped(g, {"d1", "c2"}, {"c1branch@base"}) == strings{"c2"});
  CHECK(stamped(g, {"d1", "c2"}, {"c2branch@head"}) == strings{"d1", "d2"});
  CHECK(stamped(g, {"d1", "c2"}, {"base"}).empty());
  CHECK(stamped(g, {"d1", "c2"}, {"c2branch@base"}) == strings{"d1"});
}

TEST_CASE("Scenario 9: the row changes of each stamp", "[unit][stamp]") {
  auto g = two_branches();
  auto state = state_from_version_rows(g, {"d1", "c2"});
  SECTION("stamp b deletes both rows and inserts b") {
    auto p = plan_stamp(g, state, {"b"}, false);
    CHECK(names(g, p.heads) == strings{"b"});
    CHECK(p.change.deletes == strings{"d1", "c2"});
    CHECK(p.change.inserts == strings{"b"});
    CHECK_FALSE(p.purge);
  }
  SECTION("stamp c1branch@base deletes d1 only") {
    auto p = plan_stamp(g, state, {"c1branch@base"}, false);
    CHECK(p.change.deletes == strings{"d1"});
    CHECK(p.change.inserts.empty());
  }
  SECTION("stamp c2branch@head moves c2 to d2 and leaves d1") {
    auto p = plan_stamp(g, state, {"c2branch@head"}, false);
    CHECK(p.change.deletes == strings{"c2"});
    CHECK(p.change.inserts == strings{"d2"});
  }
  SECTION("stamping a current row changes nothing") {
    auto p = plan_stamp(g, state, {"c2"}, false);
    CHECK(sorted_names(g, p.heads) == strings{"c2", "d1"});
    CHECK(p.change.deletes.empty());
    CHECK(p.change.inserts.empty());
  }
}

TEST_CASE("stamp up and down one line replaces the row", "[unit][stamp]") {
  auto g = build_graph({{"a", ""}, {"b", "a"}, {"c", "b"}, {"d", "c"}, {"e", "d"}});
  CHECK(stamped(g, {}, {"c"}) == strings{"c"});
  CHECK(stamped(g, {"c"}, {"e"}) == strings{"e"});
  CHECK(stamped(g, {"e"}, {"b"}) == strings{"b"});
  CHECK(stamped(g, {"d"}, {"base"}).empty());
  CHECK(stamped(g, {"d"}, {"head"}) == strings{"e"});
  CHECK(stamped(g, {"c"}, {"-1"}) == strings{"b"});
  CHECK(stamped(g, {"c"}, {"+2"}) == strings{"e"});
}

TEST_CASE("stamp on another branch adds a row", "[unit][stamp]") {
  auto g = two_branches();
  CHECK(stamped(g, {"d1"}, {"c2"}) == strings{"c2", "d1"});
  CHECK(stamped(g, {}, {"heads"}) == strings{"d1", "d2"});
  CHECK(stamped(g, {"b"}, {"heads"}) == strings{"d1", "d2"});
  CHECK(stamped(g, {"d1", "d2"}, {"c2branch@base+3"}) == strings{"c2", "d1"});
}

TEST_CASE("stamp of several revisions keeps one row per head", "[unit][stamp]") {
  auto g = two_branches();
  CHECK(stamped(g, {}, {"d1", "c2"}) == strings{"c2", "d1"});
  // a is below d1: it needs no row of its own.
  CHECK(stamped(g, {}, {"a", "d1"}) == strings{"d1"});
  CHECK(stamped(g, {}, {"d1", "a"}) == strings{"d1"});
  CHECK(stamped(g, {"d1", "d2"}, {"base", "c1"}) == strings{"c1"});
}

TEST_CASE("stamp moves a row that depends on the stamped line", "[unit][stamp]") {
  // Alembic's DependsOnBranchTestOne: c2 depends on c1; stamping b1 from e1
  // and c2 leaves b1 alone.
  auto g = build_graph({{"a1", "", "lib1"},
                        {"b1", "a1"},
                        {"c1", "b1"},
                        {"a2", ""},
                        {"b2", "a2"},
                        {"c2", "b2", "", "c1"},
                        {"d1", "c1"},
                        {"e1", "d1"},
                        {"f1", "e1"}});
  CHECK(stamped(g, {"e1", "c2"}, {"b1"}) == strings{"b1"});
}

TEST_CASE("stamp --purge empties the table first", "[unit][stamp]") {
  auto g = two_branches();
  CHECK(stamped(g, {"d1", "c2"}, {"c2"}, true) == strings{"c2"});
  CHECK(stamped(g, {"d1", "c2"}, {"base"}, true).empty());
  SECTION("the current rows are ignored, even unknown ones") {
    applied_state nothing = state_from_version_rows(g, {});
    auto p = plan_stamp(g, nothing, {"d2"}, true);
    CHECK(p.purge);
    CHECK(p.change.deletes.empty());
    CHECK(p.change.inserts == strings{"d2"});
    // Relative steps start from base, since the table is emptied.
    auto up = plan_stamp(g, state_from_version_rows(g, {"c1"}), {"+1"}, true);
    CHECK(names(g, up.heads) == strings{"a"});
  }
}

TEST_CASE("stamp errors", "[unit][stamp]") {
  auto g = two_branches();
  auto state = state_from_version_rows(g, {"d1", "c2"});
  CHECK_THROWS_AS(plan_stamp(g, state, {}, false), revision_error);
  CHECK_THROWS_WITH(plan_stamp(g, state, {}, false),
                    "stamp needs at least one revision ('base' empties the version table)");
  CHECK_THROWS_WITH(plan_stamp(g, state, {"nope"}, false),
                    "no revision or branch label matches 'nope'");
  CHECK_THROWS_WITH(plan_stamp(g, state, {"x@head"}, false), "no such branch 'x'");
  CHECK_THROWS_WITH(plan_stamp(g, state, {"head"}, false), Contains("several heads"));
}
