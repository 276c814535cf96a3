// A version table in memory that runs plans the way the runner does, step by
// step with advance(), and checks every row change as the database would.
#pragma once

#include <catch2/catch.hpp>
#include <set>
#include <string>
#include <vector>

#include "graph_helpers.hpp"
#include "migration_tools/core/planner.hpp"
#include "migration_tools/core/revision_resolver.hpp"
#include "migration_tools/core/stamp.hpp"

namespace test_helpers {

using migration_tools::applied_state;
using migration_tools::direction;
using migration_tools::node_id;
using migration_tools::plan;
using migration_tools::revision_graph;
using migration_tools::version_change;

// A version table in memory. Every step's row changes are applied the way the
// database would: each update and delete must touch exactly one row, and an
// insert must not duplicate one. After each step the rows must be the heads of
// what is applied.
class database {
 public:
  // `check_heads`: after each step, also check the state against the graph
  // (quadratic over a whole plan; too slow for very long chains).
  database(const revision_graph& g, const strings& rows, bool check_heads = true)
      : g_(g),
        state_(migration_tools::state_from_version_rows(g, rows)),
        rows_(rows.begin(), rows.end()),
        check_heads_(check_heads) {}

  // Plans and runs an upgrade; returns the revisions applied, in order.
  strings upgrade(const std::string& target) {
    return run(migration_tools::plan_upgrade(g_, state_, target));
  }
  strings downgrade(const std::string& target) {
    return run(migration_tools::plan_downgrade(g_, state_, target));
  }

  // Plans and applies a stamp: one set of row changes, no migration runs.
  void stamp(const strings& targets, bool purge = false) {
    auto p = migration_tools::plan_stamp(g_, state_, targets, purge);
    if (p.purge) rows_.clear();
    apply_rows(p.change);
    state_ = migration_tools::state_from_version_rows(g_, names(g_, p.heads));
    check_state();
  }

  // One step with advance(); returns the row changes it made.
  version_change step(const std::string& revision, direction dir) {
    auto change = migration_tools::advance(g_, state_, id_of(g_, revision), dir);
    apply(change);
    return change;
  }

  // The version rows, sorted.
  strings rows() const { return strings(rows_.begin(), rows_.end()); }
  const applied_state& state() const { return state_; }

 private:
  strings run(const plan& p) {
    strings done;
    for (node_id id : p.steps) {
      auto change = migration_tools::advance(g_, state_, id, p.dir);
      apply(change);
      done.push_back(g_.revision(id));
    }
    return done;
  }

  void apply(const version_change& c) {
    apply_rows(c);
    check_state();
  }

  void apply_rows(const version_change& c) {
    for (const auto& d : c.deletes) {
      INFO("DELETE " << d);
      REQUIRE(rows_.erase(d) == 1);
    }
    CHECK(c.update_from.empty() == c.update_to.empty());
    if (!c.update_from.empty()) {
      INFO("UPDATE " << c.update_from << " -> " << c.update_to);
      REQUIRE(rows_.erase(c.update_from) == 1);
      REQUIRE(rows_.insert(c.update_to).second);
    }
    for (const auto& i : c.inserts) {
      INFO("INSERT " << i);
      REQUIRE(rows_.insert(i).second);
    }
  }

  void check_state() {
    // The rows are the state's heads, and the state is those heads and all below them.
    CHECK(sorted_names(g_, state_.heads) == rows());
    if (!check_heads_) return;
    CHECK(state_.applied == g_.closure_down(state_.heads));
    CHECK(sorted_names(g_, g_.heads_of(state_.applied)) == rows());
  }

  const revision_graph& g_;
  applied_state state_;
  std::set<std::string> rows_;
  bool check_heads_;
};

}  // namespace test_helpers
