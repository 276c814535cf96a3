// Properties of the planner on random graphs (seeded, so every run checks the
// same 200 graphs): branches, merges, several bases, labels, depends_on.
// - an upgrade applies parents and dependencies before a revision;
// - after every step the version rows are the heads of what is applied
//   (the simulated database checks this at each advance());
// - an upgrade to X applies X and keeps everything applied; a downgrade to X
//   (also `B@X`) keeps X and what it needs and removes only what is above X;
// - `upgrade heads` then `downgrade base` leaves no rows.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "graph_helpers.hpp"
#include "migration_tools/core/planner.hpp"
#include "migration_tools/core/stamp.hpp"
#include "simulated_database.hpp"

using namespace migration_tools;
using namespace test_helpers;

namespace {

// A small deterministic generator (std::uniform_int_distribution differs
// between standard libraries; this does not).
class random_source {
 public:
  explicit random_source(uint64_t seed) : state_(seed * 2654435761u + 1) {}
  // 0 <= result < n
  int below(int n) {
    state_ ^= state_ << 13;
    state_ ^= state_ >> 7;
    state_ ^= state_ << 17;
    return static_cast<int>(state_ % static_cast<uint64_t>(n));
  }
  bool chance(int percent) { return below(100) < percent; }

 private:
  uint64_t state_;
};

std::string name_of(int i) {
  return "n" + std::to_string(i);
}

// Revisions only point at earlier ones, so the graph is acyclic; the rest is
// chance: new roots, merges of two or three parents, labels, dependencies.
std::vector<rev> random_revisions(random_source& rnd, int size) {
  std::vector<rev> out;
  for (int i = 0; i < size; ++i) {
    std::string down, labels, depends;
    if (i > 0 && !rnd.chance(12)) {
      int parents = rnd.chance(18) ? 2 + rnd.below(2) : 1;
      std::vector<int> chosen;
      for (int k = 0; k < parents && static_cast<int>(chosen.size()) < i; ++k) {
        int p = rnd.below(i);
        if (std::find(chosen.begin(), chosen.end(), p) == chosen.end()) chosen.push_back(p);
      }
      for (int p : chosen) down += (down.empty() ? "" : " ") + name_of(p);
    }
    if (rnd.chance(12)) labels = "label" + std::to_string(i);
    if (i > 1 && rnd.chance(10)) depends = name_of(rnd.below(i));
    // A dependency on one's own parent is fine: normalisation drops it.
    out.emplace_back(name_of(i), down, labels, depends);
  }
  return out;
}

// Everything needed before `id` comes earlier in `steps`.
void check_parents_first(const revision_graph& g, const std::vector<node_id>& steps) {
  std::vector<char> seen(g.size(), 0);
  for (node_id id : steps) {
    for (const auto* edges : {&g.parents(id), &g.dependencies(id)})
      for (node_id p : *edges) {
        INFO(g.revision(p) << " must come before " << g.revision(id));
        CHECK(seen[static_cast<size_t>(p)]);
      }
    seen[static_cast<size_t>(id)] = 1;
  }
}

bool all_of_mask(const std::vector<char>& inner, const std::vector<char>& outer) {
  for (size_t i = 0; i < inner.size(); ++i)
    if (inner[i] && !outer[i]) return false;
  return true;
}

// One random upgrade, downgrade or stamp, with its own properties checked.
// Returns which of the four it ran, -1 when the pick did not apply.
int random_operation(random_source& rnd, const revision_graph& g, database& db) {
  node_id t = rnd.below(static_cast<int>(g.size()));
  const std::string target = g.revision(t);
  auto before = db.state().applied;
  int kind = rnd.below(4);
  if (kind == 0 && !before[static_cast<size_t>(t)]) {
    INFO("upgrade " << target);
    db.upgrade(target);
    // Exactly t's needs were added.
    auto expected = g.closure_down({t});
    for (size_t i = 0; i < expected.size(); ++i) expected[i] = expected[i] || before[i];
    CHECK(db.state().applied == expected);
    return kind;
  } else if (kind == 1 && before[static_cast<size_t>(t)]) {
    INFO("downgrade " << target);
    db.downgrade(target);
    const auto& after = db.state().applied;
    auto kept = g.closure_down({t});
    CHECK(all_of_mask(kept, after));
    // What stands on t's children went, and nothing else.
    auto above = g.closure_up(g.children(t));
    for (size_t i = 0; i < after.size(); ++i) {
      if (before[i] && !after[i]) CHECK(above[i]);
      if (above[i] && !kept[i]) CHECK_FALSE(after[i]);
    }
    return kind;
  } else if (kind == 2 && before[static_cast<size_t>(t)]) {
    // A branch-qualified downgrade: the branch of a random revision that
    // shares t's line.
    auto line = g.lineage({t}, edge_kind::versioned);
    std::vector<node_id> anchors;
    for (node_id n = 0; n < static_cast<node_id>(g.size()); ++n)
      if (line[static_cast<size_t>(n)]) anchors.push_back(n);
    node_id anchor = anchors[static_cast<size_t>(rnd.below(static_cast<int>(anchors.size())))];
    std::string spec = g.revision(anchor) + "@" + target;
    INFO("downgrade " << spec);
    db.downgrade(spec);
    const auto& after = db.state().applied;
    CHECK(all_of_mask(g.closure_down({t}), after));
    auto branch = g.lineage({anchor}, edge_kind::versioned);
    std::vector<node_id> roots;
    for (node_id c : g.children(t))
      if (branch[static_cast<size_t>(c)]) roots.push_back(c);
    auto above = g.closure_up(roots);
    for (size_t i = 0; i < after.size(); ++i)
      if (before[i] && !after[i]) CHECK(above[i]);
    return kind;
  } else if (kind == 3) {
    INFO("stamp " << target);
    db.stamp({target});
    CHECK(db.state().applied[static_cast<size_t>(t)]);
    return kind;
  }
  return -1;
}

}  // namespace

TEST_CASE("Random graphs: plans keep the version rows equal to the applied heads",
          "[unit][planner][random]") {
  // How often each operation ran and each shape occurred, so that a change to
  // the generator cannot quietly stop exercising one of them.
  int ran[4] = {0, 0, 0, 0};
  int merges = 0, several_bases = 0, dependencies = 0, labels = 0;
  for (uint64_t seed = 1; seed <= 200; ++seed) {
    random_source rnd(seed);
    int size = 5 + rnd.below(36);
    auto revisions = random_revisions(rnd, size);
    auto g = build_graph(revisions);
    INFO("seed " << seed << ", " << size << " revisions");
    REQUIRE(g.size() == static_cast<size_t>(size));
    several_bases += g.bases().size() > 1;
    for (node_id id = 0; id < static_cast<node_id>(g.size()); ++id) {
      merges += g.is_merge_point(id);
      dependencies += !g.dependencies(id).empty();
      labels += !g.at(id).branch_labels.empty();
    }

    database db(g, {});
    auto up = plan_upgrade(g, db.state(), "heads");
    REQUIRE(up.steps.size() == g.size());
    check_parents_first(g, up.steps);
    db.upgrade("heads");
    CHECK(db.rows() == sorted_names(g, g.real_heads()));
    auto down = db.downgrade("base");
    CHECK(down.size() == g.size());
    CHECK(db.rows().empty());

    for (int op = 0; op < 25; ++op) {
      int kind = random_operation(rnd, g, db);
      if (kind >= 0) ++ran[kind];
    }
    db.downgrade("base");
    CHECK(db.rows().empty());
  }
  for (int count : ran) CHECK(count > 200);
  CHECK(merges > 100);
  CHECK(several_bases > 100);
  CHECK(dependencies > 100);
  CHECK(labels > 100);
}

TEST_CASE("Random graphs: labels cover a connected stretch of one line", "[unit][graph][random]") {
  for (uint64_t seed = 1; seed <= 200; ++seed) {
    random_source rnd(seed);
    auto g = build_graph(random_revisions(rnd, 5 + rnd.below(36)));
    INFO("seed " << seed);
    for (node_id id = 0; id < static_cast<node_id>(g.size()); ++id) {
      for (const auto& label : g.at(id).branch_labels) {
        // Everything above the labelled revision carries the label; whatever
        // carries it shares the labelled revision's line.
        auto up = g.closure_up({id}, edge_kind::versioned);
        auto line = g.lineage({id}, edge_kind::versioned);
        for (node_id n = 0; n < static_cast<node_id>(g.size()); ++n) {
          if (up[static_cast<size_t>(n)]) CHECK(g.on_branch(n, label));
          if (g.on_branch(n, label)) CHECK(line[static_cast<size_t>(n)]);
        }
      }
    }
  }
}
