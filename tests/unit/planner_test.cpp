// Upgrade and downgrade plans and the version-row changes of each step: the
// scenarios of ALEMBIC_SEMANTICS.md run against a simulated version table.
#include "migration_tools/core/planner.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <set>
#include <string>
#include <vector>

#include "alembic_scenarios.hpp"
#include "graph_helpers.hpp"
#include "simulated_database.hpp"

using namespace migration_tools;
using namespace test_helpers;
using Catch::Matchers::Contains;

TEST_CASE("state_from_version_rows applies the rows and everything below them", "[unit][planner]") {
  auto g = diamond();
  auto state = state_from_version_rows(g, {"b1", "b2"});
  CHECK(names(g, state.heads) == strings{"b1", "b2"});
  CHECK(mask_names(g, state.applied) == strings{"a", "b1", "b2"});
  auto empty = state_from_version_rows(g, {});
  CHECK(empty.heads.empty());
  CHECK(mask_names(g, empty.applied).empty());
  REQUIRE(empty.applied.size() == g.size());
}

TEST_CASE("A version row this runner does not know is a usage error naming it", "[unit][planner]") {
  auto g = linear();
  CHECK_THROWS_AS(state_from_version_rows(g, {"c", "f00d"}), usage_error);
  CHECK_THROWS_WITH(state_from_version_rows(g, {"f00d"}),
                    Contains("the database is at revision 'f00d', which this runner does not "
                             "contain"));
}

TEST_CASE("Scenario 1: a diamond upgrades parents first and ends with one head",
          "[unit][planner]") {
  auto g = diamond();
  CHECK(names(g, g.real_heads()) == strings{"d"});
  database db(g, {});
  auto steps = db.upgrade("d");
  REQUIRE(steps.size() == 5);
  CHECK(steps[0] == "a");
  CHECK(std::set<std::string>{steps[1], steps[2]} == std::set<std::string>{"b1", "b2"});
  CHECK(steps[3] == "c");
  CHECK(steps[4] == "d");
  CHECK(db.rows() == strings{"d"});
}

TEST_CASE("Scenario 2: relative upgrades on a linear history", "[unit][planner]") {
  auto g = linear();
  SECTION("+2 from a applies b and c") {
    database db(g, {"a"});
    CHECK(db.upgrade("+2") == strings{"b", "c"});
    CHECK(db.rows() == strings{"c"});
  }
  SECTION("b+2 from a applies b, c and d") {
    database db(g, {"a"});
    CHECK(db.upgrade("b+2") == strings{"b", "c", "d"});
    CHECK(db.rows() == strings{"d"});
  }
  SECTION("d-2 from a applies b") {
    database db(g, {"a"});
    CHECK(db.upgrade("d-2") == strings{"b"});
    CHECK(db.rows() == strings{"b"});
  }
  SECTION("-2 from b is an error; -1 does nothing") {
    auto state = state_from_version_rows(g, {"b"});
    CHECK_THROWS_AS(plan_upgrade(g, state, "-2"), revision_error);
    CHECK_THROWS_WITH(plan_upgrade(g, state, "-2"),
                      Contains("is not a valid upgrade target from the current heads ('b')"));
    // -1 is a: already applied, so nothing to do (Alembic's
    // _collect_upgrade_revisions: what the target needs minus what is applied).
    CHECK(plan_upgrade(g, state, "-1").steps.empty());
  }
  SECTION("+5 from b is an error") {
    auto state = state_from_version_rows(g, {"b"});
    CHECK_THROWS_AS(plan_upgrade(g, state, "+5"), revision_error);
    CHECK_THROWS_WITH(plan_upgrade(g, state, "+5"), Contains("only 3 of 5 steps"));
  }
}

TEST_CASE("Scenario 3: relative downgrades on a linear history", "[unit][planner]") {
  auto g = linear();
  SECTION("-3 from e removes e, d and c") {
    database db(g, {"e"});
    CHECK(db.downgrade("-3") == strings{"e", "d", "c"});
    CHECK(db.rows() == strings{"b"});
  }
  SECTION("a+2 from d removes d") {
    database db(g, {"d"});
    CHECK(db.downgrade("a+2") == strings{"d"});
    CHECK(db.rows() == strings{"c"});
  }
  SECTION("c-2 from d removes d, c and b") {
    database db(g, {"d"});
    CHECK(db.downgrade("c-2") == strings{"d", "c", "b"});
    CHECK(db.rows() == strings{"a"});
  }
}

TEST_CASE("Scenario 4: two labelled branches", "[unit][planner]") {
  auto g = two_branches();
  SECTION("upgrade heads from a applies b, then each branch fully") {
    database db(g, {"a"});
    CHECK(db.upgrade("heads") == strings{"b", "c1", "d1", "c2", "d2"});
    CHECK(db.rows() == strings{"d1", "d2"});
  }
  SECTION("the revision below d2 from b applies c2") {
    database db(g, {"b"});
    CHECK(db.upgrade("d2-1") == strings{"c2"});
    CHECK(db.rows() == strings{"c2"});
  }
  SECTION("downgrade to c1 from d1 and d2 removes d1 only") {
    database db(g, {"d1", "d2"});
    CHECK(db.downgrade("c1") == strings{"d1"});
    CHECK(db.rows() == strings{"c1", "d2"});
  }
  SECTION("+1 from c1 and c2 is ambiguous") {
    auto state = state_from_version_rows(g, {"c1", "c2"});
    CHECK_THROWS_AS(plan_upgrade(g, state, "+1"), revision_error);
    CHECK_THROWS_WITH(plan_upgrade(g, state, "+1"), Contains("ambiguous walk"));
  }
  SECTION("upgrading c2 from c1 adds a second row") {
    database db(g, {"c1"});
    CHECK(db.upgrade("c2") == strings{"c2"});
    CHECK(db.rows() == strings{"c1", "c2"});
  }
  SECTION("base+1 from nothing applies a") {
    database db(g, {});
    CHECK(db.upgrade("base+1") == strings{"a"});
    CHECK(db.rows() == strings{"a"});
  }
  SECTION("head is ambiguous with two heads") {
    auto state = state_from_version_rows(g, {"a"});
    CHECK_THROWS_WITH(plan_upgrade(g, state, "head"), Contains("several heads ('d1', 'd2')"));
  }
}

TEST_CASE("Scenario 6: the heads after successive upgrades through a twin merge",
          "[unit][planner]") {
  auto g = twin_merge();
  database db(g, {"a"});
  CHECK(db.upgrade("b3") == strings{"b3"});
  CHECK(db.rows() == strings{"b3"});
  CHECK(db.upgrade("b1") == strings{"b1"});
  CHECK(db.rows() == strings{"b1", "b3"});
  CHECK(db.upgrade("b2") == strings{"b2"});
  CHECK(db.rows() == strings{"b1", "b2", "b3"});
  CHECK(db.upgrade("c2") == strings{"c2"});
  CHECK(db.rows() == strings{"c2"});
  CHECK(db.upgrade("d2") == strings{"d2"});
  CHECK(db.rows() == strings{"d2"});
  CHECK(db.upgrade("c1") == strings{"c1"});
  CHECK(db.rows() == strings{"c1", "d2"});
  CHECK(db.upgrade("d1") == strings{"d1"});
  CHECK(db.rows() == strings{"d1", "d2"});
}

TEST_CASE("Scenario 6: downgrading a twin merge back to a", "[unit][planner]") {
  auto g = twin_merge();
  database db(g, {"d1", "d2"});
  auto steps = db.downgrade("a");
  CHECK(steps.size() == 7);
  CHECK(db.rows() == strings{"a"});
}

TEST_CASE("Scenario 7: upgrade heads leaves only the real head in the version table",
          "[unit][planner]") {
  auto g = effective_head();
  database db(g, {});
  CHECK(db.upgrade("heads") == strings{"a1", "a2", "b1", "b2"});
  CHECK(db.rows() == strings{"b2"});
}

TEST_CASE("Applying a dependent revision removes the row of its dependency", "[unit][planner]") {
  auto g = effective_head();
  database db(g, {"a2", "b1"});
  auto change = db.step("b2", direction::upgrade);
  CHECK(change.deletes == strings{"b1"});
  CHECK(change.update_from == "a2");
  CHECK(change.update_to == "b2");
  CHECK(change.inserts.empty());
  CHECK(db.rows() == strings{"b2"});
}

TEST_CASE("Downgrading a dependent revision brings its dependency's row back", "[unit][planner]") {
  auto g = effective_head();
  database db(g, {"b2"});
  CHECK(db.downgrade("b1") == strings{"b2"});
  CHECK(db.rows() == strings{"a2", "b1"});
}

TEST_CASE("A linear step updates the one version row", "[unit][planner]") {
  auto g = linear();
  database db(g, {"a"});
  auto change = db.step("b", direction::upgrade);
  CHECK(change.deletes.empty());
  CHECK(change.update_from == "a");
  CHECK(change.update_to == "b");
  CHECK(change.inserts.empty());
}

TEST_CASE("The first revision from base inserts a row", "[unit][planner]") {
  auto g = linear();
  database db(g, {});
  auto change = db.step("a", direction::upgrade);
  CHECK(change.deletes.empty());
  CHECK(change.update_from.empty());
  CHECK(change.update_to.empty());
  CHECK(change.inserts == strings{"a"});
}

TEST_CASE("A new base or a new branch inserts a row", "[unit][planner]") {
  // a -> b -> c, a -> x (a branch), and a second root r.
  auto g = build_graph({{"a", ""}, {"b", "a"}, {"c", "b"}, {"x", "a"}, {"r", ""}});
  database db(g, {"c"});
  CHECK(db.upgrade("x") == strings{"x"});
  CHECK(db.rows() == strings{"c", "x"});
  CHECK(db.upgrade("r") == strings{"r"});
  CHECK(db.rows() == strings{"c", "r", "x"});
}

TEST_CASE("A merge deletes all but one parent row and updates the last", "[unit][planner]") {
  auto g = twin_merge();
  database db(g, {"b1", "b2", "b3"});
  auto change = db.step("c1", direction::upgrade);
  CHECK(change.deletes == strings{"b1", "b2"});
  CHECK(change.update_from == "b3");
  CHECK(change.update_to == "c1");
  CHECK(change.inserts.empty());
  CHECK(db.rows() == strings{"c1"});
}

TEST_CASE("Undoing a merge puts its parents' rows back", "[unit][planner]") {
  auto g = twin_merge();
  database db(g, {"c1"});
  auto change = db.step("c1", direction::downgrade);
  CHECK(change.deletes.empty());
  CHECK(change.update_from == "c1");
  CHECK(change.update_to == "b1");
  CHECK(change.inserts == strings{"b2", "b3"});
  CHECK(db.rows() == strings{"b1", "b2", "b3"});
}

TEST_CASE("Undoing a merge leaves out parents that another head still covers", "[unit][planner]") {
  // c2 still sits on b1, b2 and b3 when c1 is undone.
  auto g = twin_merge();
  database db(g, {"c1", "c2"});
  auto change = db.step("c1", direction::downgrade);
  CHECK(change.deletes == strings{"c1"});
  CHECK(change.update_from.empty());
  CHECK(change.inserts.empty());
  CHECK(db.rows() == strings{"c2"});
}

TEST_CASE("Undoing a diamond merge and its branches ends with the base row", "[unit][planner]") {
  auto g = diamond();
  database db(g, {"d"});
  auto steps = db.downgrade("a");
  REQUIRE(steps.size() == 4);
  CHECK(steps[0] == "d");
  CHECK(steps[1] == "c");
  CHECK(std::set<std::string>{steps[2], steps[3]} == std::set<std::string>{"b1", "b2"});
  CHECK(db.rows() == strings{"a"});
}

TEST_CASE("Downgrading a branch whose parent another head still covers deletes its row",
          "[unit][planner]") {
  auto g = build_graph({{"a", ""}, {"b", "a"}, {"x", "a"}});
  database db(g, {"b", "x"});
  auto change = db.step("x", direction::downgrade);
  CHECK(change.deletes == strings{"x"});
  CHECK(change.update_from.empty());
  CHECK(change.inserts.empty());
  CHECK(db.rows() == strings{"b"});
}

TEST_CASE("Downgrading to base removes everything, children first, and deletes the last row",
          "[unit][planner]") {
  auto g = linear();
  database db(g, {"c"});
  CHECK(db.downgrade("base") == strings{"c", "b", "a"});
  CHECK(db.rows().empty());
  CHECK(db.state().heads.empty());
}

TEST_CASE("Downgrading the only revision deletes its row", "[unit][planner]") {
  auto g = linear();
  database db(g, {"a"});
  auto change = db.step("a", direction::downgrade);
  CHECK(change.deletes == strings{"a"});
  CHECK(change.update_from.empty());
  CHECK(change.inserts.empty());
}

TEST_CASE("Downgrading to the current revision does nothing", "[unit][planner]") {
  auto g = linear();
  auto state = state_from_version_rows(g, {"c"});
  auto p = plan_downgrade(g, state, "c");
  CHECK(p.dir == direction::downgrade);
  CHECK(p.steps.empty());
}

TEST_CASE("Upgrading to the current head does nothing", "[unit][planner]") {
  auto g = linear();
  auto state = state_from_version_rows(g, {"e"});
  auto p = plan_upgrade(g, state, "head");
  CHECK(p.dir == direction::upgrade);
  CHECK(p.steps.empty());
  CHECK(plan_upgrade(g, state, "heads").steps.empty());
}

TEST_CASE("Upgrading an empty database to base does nothing", "[unit][planner]") {
  auto g = linear();
  auto state = state_from_version_rows(g, {});
  CHECK(plan_upgrade(g, state, "base").steps.empty());
}

TEST_CASE("Upgrading to base with revisions applied is an error", "[unit][planner]") {
  auto g = linear();
  auto state = state_from_version_rows(g, {"c"});
  CHECK_THROWS_AS(plan_upgrade(g, state, "base"), revision_error);
  CHECK_THROWS_WITH(plan_upgrade(g, state, "base"),
                    Contains("destination base is not a valid upgrade target from the current "
                             "heads ('c')"));
}

TEST_CASE("Upgrading to an applied revision below the heads does nothing, as in Alembic",
          "[unit][planner]") {
  auto g = linear();
  auto state = state_from_version_rows(g, {"c"});
  CHECK(plan_upgrade(g, state, "a").steps.empty());
  CHECK(plan_upgrade(g, state, "c").steps.empty());
  // One target applied, one not: only what the other needs.
  auto p = plan_upgrade(g, state, "d");
  REQUIRE(p.steps.size() == 1);
  CHECK(g.revision(p.steps[0]) == "d");
}

TEST_CASE("Downgrading to a revision that is not applied is an error", "[unit][planner]") {
  auto g = linear();
  auto state = state_from_version_rows(g, {"b"});
  CHECK_THROWS_AS(plan_downgrade(g, state, "d"), revision_error);
  CHECK_THROWS_WITH(plan_downgrade(g, state, "d"),
                    "destination 'd' is not a valid downgrade target from the current heads "
                    "('b'): it is not applied");
  auto nothing = state_from_version_rows(g, {});
  CHECK_THROWS_WITH(plan_downgrade(g, nothing, "a"), Contains("from the current heads (base)"));
}

TEST_CASE("Downgrading from several heads with -1 is an error naming them", "[unit][planner]") {
  auto g = two_branches();
  auto state = state_from_version_rows(g, {"d1", "d2"});
  CHECK_THROWS_AS(plan_downgrade(g, state, "-1"), revision_error);
  CHECK_THROWS_WITH(plan_downgrade(g, state, "-1"), Contains("'d1', 'd2'"));
}

TEST_CASE("An unknown upgrade target is a revision error", "[unit][planner]") {
  auto g = linear();
  auto state = state_from_version_rows(g, {"a"});
  CHECK_THROWS_AS(plan_upgrade(g, state, "nope"), revision_error);
  CHECK_THROWS_AS(plan_downgrade(g, state, "nope"), revision_error);
}

TEST_CASE("An upgrade finishes each branch before the merge that joins it", "[unit][planner]") {
  auto g = build_graph(
      {{"a", ""}, {"l1", "a"}, {"r1", "a"}, {"l2", "l1"}, {"r2", "r1"}, {"m", "l2 r2"}});
  database db(g, {"a"});
  CHECK(db.upgrade("m") == strings{"l1", "l2", "r1", "r2", "m"});
  CHECK(db.rows() == strings{"m"});
  database down(g, {"m"});
  CHECK(down.downgrade("a") == strings{"m", "r2", "r1", "l2", "l1"});
  CHECK(down.rows() == strings{"a"});
}

TEST_CASE("An upgrade applies only what the target needs", "[unit][planner]") {
  auto g = two_branches();
  database db(g, {"a"});
  CHECK(db.upgrade("d1") == strings{"b", "c1", "d1"});
  CHECK(db.rows() == strings{"d1"});
  CHECK(db.upgrade("heads") == strings{"c2", "d2"});
  CHECK(db.rows() == strings{"d1", "d2"});
}

TEST_CASE("A 10,000-revision chain upgrades from base and downgrades back", "[unit][planner]") {
  auto g = build_graph(chain(10000));
  database db(g, {}, false);
  auto up = db.upgrade("head");
  REQUIRE(up.size() == 10000);
  CHECK(up.front() == "r0");
  CHECK(up.back() == "r9999");
  CHECK(db.rows() == strings{"r9999"});
  auto down = db.downgrade("base");
  REQUIRE(down.size() == 10000);
  CHECK(down.front() == "r9999");
  CHECK(down.back() == "r0");
  CHECK(db.rows().empty());
}
