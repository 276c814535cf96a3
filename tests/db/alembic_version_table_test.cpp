// ALEMBIC_SEMANTICS.md's version-table scenarios 4, 6 and 7 against the real
// PostgreSQL server, through the runner's command line. The unit tests run the
// same scenarios on a simulated version table; here the rows are read back
// from the database after every command, together with the history rows the
// command wrote (which migrations ran, in order) and the tables t_<rev> that
// the migrations created (what really ran).
#include <algorithm>
#include <catch2/catch.hpp>

#include "alembic_runners.hpp"
#include "alembic_scenarios.hpp"

using namespace migration_tools::test;

TEST_CASE(
    "Scenario 4 on PostgreSQL: branch-qualified upgrades and downgrades leave the "
    "expected version rows",
    "[db][alembic]") {
  auto g = test_helpers::two_branches();
  scenario_database db(ALEMBIC_BRANCHES_RUNNER, "alembic_scenario_4");

  SECTION("from a, upgrade heads applies b, then each branch fully") {
    db.ok({"upgrade", "a"});
    expect_state(db, g, upgraded({"a"}), {"a"});
    db.ok({"upgrade", "heads"});
    expect_state(db, g, upgraded({"b", "c1", "d1", "c2", "d2"}), {"d1", "d2"});
    // Downgrading to base deletes every row.
    db.ok({"downgrade", "base"});
    auto down = db.steps();
    CHECK(down.size() == 6);
    CHECK(down.back() == "a:downgrade");
    CHECK(db.versions().empty());
    CHECK(db.tables().empty());
  }
  SECTION("c2branch@head-1 from b applies c2") {
    db.ok({"upgrade", "b"});
    expect_state(db, g, upgraded({"a", "b"}), {"b"});
    db.ok({"upgrade", "c2branch@head-1"});
    expect_state(db, g, upgraded({"c2"}), {"c2"});
  }
  SECTION("from d1 and d2, downgrade c2branch@base+2 removes d2 and c2, leaving d1") {
    db.ok({"upgrade", "heads"});
    expect_state(db, g, upgraded({"a", "b", "c1", "d1", "c2", "d2"}), {"d1", "d2"});
    db.ok({"downgrade", "c2branch@base+2"});
    expect_state(db, g, downgraded({"d2", "c2"}), {"d1"});
  }
  SECTION("from d1 and d2, downgrade c1branch@-1 removes d1, leaving c1 and d2") {
    db.ok({"upgrade", "heads"});
    db.steps();
    db.ok({"downgrade", "c1branch@-1"});
    expect_state(db, g, downgraded({"d1"}), {"c1", "d2"});
  }
  SECTION("from c1 and c2, upgrade +1 is ambiguous and changes nothing") {
    db.ok({"upgrade", "c1"});
    expect_state(db, g, upgraded({"a", "b", "c1"}), {"c1"});
    // A new branch inserts a row.
    db.ok({"upgrade", "c2"});
    expect_state(db, g, upgraded({"c2"}), {"c1", "c2"});
    auto r = db.run({"upgrade", "+1"});
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("ambiguous walk") != std::string::npos);
    expect_state(db, g, {}, {"c1", "c2"});
  }
  SECTION("from c1, upgrade c2branch@+1 applies c2 and keeps c1") {
    db.ok({"upgrade", "c1"});
    db.steps();
    db.ok({"upgrade", "c2branch@+1"});
    expect_state(db, g, upgraded({"c2"}), {"c1", "c2"});
  }
  SECTION("from nothing, upgrade base+1 applies a") {
    db.ok({"upgrade", "base+1"});
    expect_state(db, g, upgraded({"a"}), {"a"});
  }
}

TEST_CASE("Scenario 6 on PostgreSQL: each upgrade through a twin merge leaves the expected heads",
          "[db][alembic]") {
  auto g = test_helpers::twin_merge();
  scenario_database db(ALEMBIC_TWIN_MERGE_RUNNER, "alembic_scenario_6");
  db.ok({"upgrade", "a"});
  expect_state(db, g, upgraded({"a"}), {"a"});
  // Each target applies itself only; the rows after it are the heads of
  // scenario 6. The merges c2 and c1 delete all but one parent row and update
  // the last (every update and delete touches exactly one row, or the step fails).
  const std::vector<std::pair<std::string, strings>> upgrades = {
      {"b3", {"b3"}}, {"b1", {"b1", "b3"}}, {"b2", {"b1", "b2", "b3"}}, {"c2", {"c2"}},
      {"d2", {"d2"}}, {"c1", {"c1", "d2"}}, {"d1", {"d1", "d2"}}};
  for (const auto& [target, rows] : upgrades) {
    INFO("upgrade " << target);
    db.ok({"upgrade", target});
    expect_state(db, g, upgraded({target}), rows);
  }
  // Undoing both merges and their three parents brings back the one row of a.
  db.ok({"downgrade", "a"});
  auto down = db.steps();
  CHECK(down.size() == 7);
  // Children before parents: each merge goes before the branches it joins.
  auto position = [&](const std::string& revision) {
    return std::find(down.begin(), down.end(), revision + ":downgrade") - down.begin();
  };
  for (const char* b : {"b1", "b2", "b3"})
    for (const char* c : {"c1", "c2"}) CHECK(position(c) < position(b));
  CHECK(position("d1") < position("c1"));
  CHECK(position("d2") < position("c2"));
  expect_state(db, g, {}, {"a"});
}

TEST_CASE(
    "Scenario 7 on PostgreSQL: after upgrade heads the version table holds only the real head",
    "[db][alembic]") {
  auto g = test_helpers::effective_head();
  scenario_database db(ALEMBIC_EFFECTIVE_HEAD_RUNNER, "alembic_scenario_7");

  SECTION("heads lists b2 as the head and a2 as an effective head") {
    auto r = db.ok({"heads"});
    CHECK(r.out.find("a2 (effective head)\n") != std::string::npos);
    CHECK(r.out.find("b2 (head)\n") != std::string::npos);
  }
  SECTION("upgrade heads applies all four and keeps the row of b2 only") {
    db.ok({"upgrade", "heads"});
    expect_state(db, g, upgraded({"a1", "a2", "b1", "b2"}), {"b2"});
    // a2 is applied: only b2's row stands for it, and downgrading b2 brings it back.
    db.ok({"downgrade", "b1"});
    expect_state(db, g, downgraded({"b2"}), {"a2", "b1"});
  }
  SECTION("step by step, applying b2 removes the row of a2, which it depends on") {
    db.ok({"upgrade", "a2"});
    expect_state(db, g, upgraded({"a1", "a2"}), {"a2"});
    // A new base inserts a row.
    db.ok({"upgrade", "b1"});
    expect_state(db, g, upgraded({"b1"}), {"a2", "b1"});
    db.ok({"upgrade", "b2"});
    expect_state(db, g, upgraded({"b2"}), {"b2"});
    db.ok({"upgrade", "heads"});
    expect_state(db, g, {}, {"b2"});
  }
}
