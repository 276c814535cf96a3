// Upgrades and downgrades to branch-qualified targets: scenario 4 of
// ALEMBIC_SEMANTICS.md with the `@` forms, and Alembic's BranchedPathTest.
// A downgrade to `X@Y` removes only what sits above Y on branch X.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "alembic_scenarios.hpp"
#include "graph_helpers.hpp"
#include "migration_tools/core/planner.hpp"
#include "simulated_database.hpp"

using namespace migration_tools;
using namespace test_helpers;
using Catch::Matchers::Contains;

TEST_CASE("Scenario 4: upgrades to branch-qualified targets", "[unit][planner][branch]") {
  auto g = two_branches();
  SECTION("from a, upgrading to d1 and d2 applies b, then each branch fully") {
    database db(g, {"a"});
    CHECK(db.upgrade("heads") == strings{"b", "c1", "d1", "c2", "d2"});
    CHECK(db.rows() == strings{"d1", "d2"});
  }
  SECTION("c2branch@head-1 from b applies c2") {
    database db(g, {"b"});
    CHECK(db.upgrade("c2branch@head-1") == strings{"c2"});
    CHECK(db.rows() == strings{"c2"});
  }
  SECTION("c2branch@+1 from c1 applies c2 and keeps c1") {
    database db(g, {"c1"});
    CHECK(db.upgrade("c2branch@+1") == strings{"c2"});
    CHECK(db.rows() == strings{"c1", "c2"});
  }
  SECTION("c2branch@+1 from c1 and c2 applies d2") {
    database db(g, {"c1", "c2"});
    CHECK(db.upgrade("c2branch@+1") == strings{"d2"});
    CHECK(db.rows() == strings{"c1", "d2"});
  }
  SECTION("+1 from c1 and c2 is ambiguous") {
    auto state = state_from_version_rows(g, {"c1", "c2"});
    CHECK_THROWS_AS(plan_upgrade(g, state, "+1"), revision_error);
    CHECK_THROWS_WITH(plan_upgrade(g, state, "+1"),
                      "ambiguous walk: '+1' starts from several revisions ('c1', 'c2')");
  }
  SECTION("base+1 from nothing applies a; +1 too") {
    database db(g, {});
    CHECK(db.upgrade("base+1") == strings{"a"});
    database db2(g, {});
    CHECK(db2.upgrade("+1") == strings{"a"});
  }
  SECTION("label@head upgrades one branch") {
    database db(g, {"a"});
    CHECK(db.upgrade("c1branch@head") == strings{"b", "c1", "d1"});
    CHECK(db.rows() == strings{"d1"});
    CHECK(db.upgrade("c2branch@heads") == strings{"c2", "d2"});
    CHECK(db.rows() == strings{"d1", "d2"});
  }
}

TEST_CASE("Scenario 4: downgrades to branch-qualified targets", "[unit][planner][branch]") {
  auto g = two_branches();
  SECTION("c2branch@base+2 from d1 and d2 removes d2 and c2, leaving d1") {
    database db(g, {"d1", "d2"});
    CHECK(db.downgrade("c2branch@base+2") == strings{"d2", "c2"});
    CHECK(db.rows() == strings{"d1"});
  }
  SECTION("base+2 without a branch removes both branches down to b") {
    database db(g, {"d1", "d2"});
    CHECK(db.downgrade("base+2") == strings{"d2", "c2", "d1", "c1"});
    CHECK(db.rows() == strings{"b"});
  }
  SECTION("c2branch@base+3 from d1 and d2 removes d2") {
    database db(g, {"d1", "d2"});
    CHECK(db.downgrade("c2branch@base+3") == strings{"d2"});
    CHECK(db.rows() == strings{"c2", "d1"});
  }
  SECTION("c1branch@-1 from d1 and d2 removes d1, leaving c1 and d2") {
    database db(g, {"d1", "d2"});
    CHECK(db.downgrade("c1branch@-1") == strings{"d1"});
    CHECK(db.rows() == strings{"c1", "d2"});
  }
  SECTION("c1branch@head-1 from d1 and d2 removes d1") {
    database db(g, {"d1", "d2"});
    CHECK(db.downgrade("c1branch@head-1") == strings{"d1"});
    CHECK(db.rows() == strings{"c1", "d2"});
  }
  SECTION("c1branch@b from c1 and d2 removes c1; d2 still implies b") {
    database db(g, {"c1", "d2"});
    CHECK(db.downgrade("c1branch@b") == strings{"c1"});
    CHECK(db.rows() == strings{"d2"});
  }
  SECTION("c2branch@b from c1 and d2 removes d2 and c2") {
    database db(g, {"c1", "d2"});
    CHECK(db.downgrade("c2branch@b") == strings{"d2", "c2"});
    CHECK(db.rows() == strings{"c1"});
  }
  SECTION("a revision names its branch: c2@b and d1@b") {
    database db(g, {"d1", "d2"});
    CHECK(db.downgrade("c2@b") == strings{"d2", "c2"});
    CHECK(db.rows() == strings{"d1"});
    database db2(g, {"d1", "d2"});
    CHECK(db2.downgrade("d1@b") == strings{"d1", "c1"});
    CHECK(db2.rows() == strings{"d2"});
  }
  SECTION("d2-1 from c1 and d2 removes d2") {
    database db(g, {"c1", "d2"});
    CHECK(db.downgrade("d2-1") == strings{"d2"});
    CHECK(db.rows() == strings{"c1", "c2"});
  }
  SECTION("label@base on a shared root removes the branch and what it stands on") {
    // As in Alembic: c1branch's lineage reaches down to a, so its base is below a.
    database db(g, {"d1", "d2"});
    CHECK(db.downgrade("c1branch@base").size() == 6);
    CHECK(db.rows().empty());
  }
  SECTION("downgrading to a current head does nothing") {
    database db(g, {"d1", "c2"});
    CHECK(db.downgrade("c2").empty());
    CHECK(db.downgrade("d1").empty());
    CHECK(db.downgrade("c2branch@head-1").empty());
    CHECK(db.rows() == strings{"c2", "d1"});
  }
  SECTION("-1 from several current heads is an error naming them") {
    auto state = state_from_version_rows(g, {"d1", "d2"});
    CHECK_THROWS_AS(plan_downgrade(g, state, "-1"), revision_error);
    CHECK_THROWS_WITH(plan_downgrade(g, state, "-1"),
                      "ambiguous walk: '-1' starts from several revisions ('d1', 'd2')");
  }
  SECTION("a branch target that is not applied is an error") {
    auto state = state_from_version_rows(g, {"d1"});
    CHECK_THROWS_WITH(plan_downgrade(g, state, "c2branch@head"),
                      "destination 'd2' is not a valid downgrade target from the current heads "
                      "('d1'): it is not applied");
  }
}

TEST_CASE("label@base on separate roots removes only that root's line", "[unit][planner][branch]") {
  // Scenario 5's graph: two roots.
  auto g = build_graph({{"a", "", "abranch"},
                        {"b", "a"},
                        {"somelongername", "b"},
                        {"c", "somelongername"},
                        {"d", ""},
                        {"e", "d", "ebranch"},
                        {"someothername", "e"},
                        {"f", "someothername"}});
  database db(g, {"c", "f"});
  CHECK(db.downgrade("ebranch@base") == strings{"f", "someothername", "e", "d"});
  CHECK(db.rows() == strings{"c"});
  CHECK(db.upgrade("ebranch@+2") == strings{"d", "e"});
  CHECK(db.rows() == strings{"c", "e"});
  CHECK(db.downgrade("ebranch@-2").size() == 2);
  CHECK(db.rows() == strings{"c"});
}

TEST_CASE("Downgrading a branch whose head hides behind a dependent", "[unit][planner][branch]") {
  // Alembic's MultipleBranchEffectiveHead: y2 depends on x1.
  auto g = build_graph({{"y1", "", "y"}, {"x1", "", "x"}, {"y2", "y1", "", "x1"}, {"x2", "x1"}});
  SECTION("x@-1 from x2 and y2 removes x2") {
    database db(g, {"x2", "y2"});
    CHECK(db.downgrade("x@-1") == strings{"x2"});
    CHECK(db.rows() == strings{"y2"});
  }
  SECTION("x@-1 from y2 removes y2 and x1") {
    database db(g, {"y2"});
    CHECK(db.downgrade("x@-1") == strings{"y2", "x1"});
    CHECK(db.rows() == strings{"y1"});
  }
}

TEST_CASE("Downgrading to a revision leaves what merely depends on it", "[unit][planner]") {
  // As in Alembic: the target stays, so a revision that depends on it may
  // stay too; only what stands on the target's children goes.
  auto g =
      build_graph({{"a1", ""}, {"a2", "a1"}, {"a3", "a2"}, {"b1", ""}, {"b2", "b1", "", "a2"}});
  database db(g, {"a3", "b2"});
  CHECK(db.downgrade("a2") == strings{"a3"});
  CHECK(db.rows() == strings{"b2"});
  CHECK(db.downgrade("a1") == strings{"b2", "a2"});
  CHECK(db.rows() == strings{"a1", "b1"});
}
