// Property tests of the planner and the PostgreSQL layer together, on randomly
// generated revision graphs (branches, merges, several bases, dependencies).
// No runner is built: the migrations are generated in memory (revision X
// creates table t_X and drops it again), parsed like files, and every plan
// runs through bookkeeping + step_executor + advance on a fresh database.
//
// After every step:
//   - the version table holds exactly the heads of the applied set
//     (revision_graph::heads_of), and reading it back gives that applied set;
//   - the tables t_* are exactly those of the applied revisions;
//   - the history table has one more row.
// Upgrades apply parents and dependencies first, downgrades remove children
// and dependents first, and each plan holds exactly the expected revisions:
// upgrade X adds X and everything below it; downgrade X removes what is above
// X's children (Alembic's rule: a revision that only depends on X stays).
//
// The seeds are fixed; MIGRATION_TOOLS_PROPERTY_SEED=<n> runs other graphs,
// and every failure reports the seed and the graph so that it can be replayed.
#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <map>
#include <random>
#include <sstream>

#include "graph_helpers.hpp"
#include "migration_tools/core/checksum.hpp"
#include "migration_tools/core/planner.hpp"
#include "migration_tools/core/revision_graph.hpp"
#include "migration_tools/postgres/advisory_lock.hpp"
#include "migration_tools/postgres/bookkeeping.hpp"
#include "migration_tools/postgres/step_executor.hpp"
#include "random_graphs.hpp"
#include "test_database.hpp"

using namespace migration_tools;
using test_helpers::base_seed;
using test_helpers::describe;
using test_helpers::random_graph;
using test_helpers::rev;

namespace {

constexpr int graphs_per_test = 25;

std::vector<std::string> mask_names(const revision_graph& g, const std::vector<char>& mask) {
  return test_helpers::mask_names(g, mask);
}

// One generated graph on its own fresh database.
class graph_run {
 public:
  graph_run(const std::vector<rev>& revs, std::mt19937& shuffle_rng, const std::string& database)
      : url_(test::fresh_database(database)), connection_(url_) {
    // File order must not matter: the graph gets the migrations shuffled.
    std::vector<rev> shuffled = revs;
    std::shuffle(shuffled.begin(), shuffled.end(), shuffle_rng);
    for (const auto& r : shuffled) {
      checksums_[r.revision] = migration_checksum(test_helpers::migration_text(r));
      migrations_.push_back(test_helpers::make_migration(r, test_helpers::path_of(r)));
    }
    graph_ = revision_graph::build_or_throw(migrations_);
    applied_.assign(graph_.size(), 0);
    state_ = state_from_version_rows(graph_, {});
    bookkeeping_names names;
    names.version_table = "prop_version";
    books_ = std::make_unique<bookkeeping>(connection_, names);
    {
      advisory_lock lock(connection_, books_->version_table(), std::chrono::seconds(10),
                         [](const std::string&) {});
      books_->create();
    }
    check_invariants("the start");
  }

  const revision_graph& graph() const { return graph_; }
  const std::vector<char>& applied() const { return applied_; }
  const applied_state& state() const { return state_; }

  // Plans and runs `upgrade target`; checks the plan against `expected`
  // (the applied set afterwards) and the invariants after each step.
  void upgrade(const std::string& target) { run(direction::upgrade, target); }
  void downgrade(const std::string& target) { run(direction::downgrade, target); }

  // The mask of what `upgrade target` / `downgrade target` should leave applied.
  std::vector<char> expected_after_upgrade(const revision_set& targets) const {
    auto wanted = graph_.closure_down(targets);
    for (size_t i = 0; i < wanted.size(); ++i) wanted[i] = wanted[i] || applied_[i];
    return wanted;
  }
  // Alembic's rule: what goes is everything above the targets' children; a
  // revision that only depends on a target stays, since the target stays.
  std::vector<char> expected_after_downgrade(const revision_set& targets) const {
    if (targets.empty()) return std::vector<char>(graph_.size(), 0);
    std::vector<node_id> children;
    for (node_id t : targets)
      for (node_id c : graph_.children(t)) children.push_back(c);
    auto above = graph_.closure_up(children);
    auto kept = graph_.closure_down(targets);
    auto out = applied_;
    for (size_t i = 0; i < out.size(); ++i)
      if (above[i] && !kept[i]) out[i] = 0;
    return out;
  }

  void run(direction dir, const std::string& target) {
    const bool up = dir == direction::upgrade;
    INFO((up ? "upgrade " : "downgrade ")
         << target << " from {" << join(mask_names(graph_, applied_)) << "}");
    revision_set targets = revision_resolver(graph_, state_.heads).resolve(target);
    auto expected = up ? expected_after_upgrade(targets) : expected_after_downgrade(targets);
    plan p = up ? plan_upgrade(graph_, state_, target) : plan_downgrade(graph_, state_, target);
    REQUIRE(p.dir == dir);

    // The plan holds exactly the revisions that change, once each.
    std::vector<char> changing(graph_.size(), 0);
    for (size_t i = 0; i < changing.size(); ++i) changing[i] = expected[i] != applied_[i];
    std::vector<char> planned(graph_.size(), 0);
    for (node_id id : p.steps) {
      INFO("step " << graph_.revision(id));
      REQUIRE_FALSE(planned[static_cast<size_t>(id)]);
      planned[static_cast<size_t>(id)] = 1;
    }
    REQUIRE(mask_names(graph_, planned) == mask_names(graph_, changing));

    for (node_id id : p.steps) {
      const auto& m = graph_.at(id);
      INFO("step " << m.revision << " of " << join(names(p.steps)));
      if (up) {
        // Parents and dependencies first.
        for (const auto* edges : {&graph_.parents(id), &graph_.dependencies(id)})
          for (node_id below : *edges) {
            INFO("needs " << graph_.revision(below));
            REQUIRE(applied_[static_cast<size_t>(below)]);
          }
      } else {
        // Children and dependents first.
        for (const auto* edges : {&graph_.children(id), &graph_.dependents(id)})
          for (node_id above : *edges) {
            INFO("still applied above it: " << graph_.revision(above));
            REQUIRE_FALSE(applied_[static_cast<size_t>(above)]);
          }
      }
      auto change = advance(graph_, state_, id, dir);
      step_executor(connection_, *books_).run(m, dir, change, checksums_.at(m.revision));
      applied_[static_cast<size_t>(id)] = up ? 1 : 0;
      ++history_rows_;
      check_invariants("after " + std::string(up ? "upgrading " : "downgrading ") + m.revision);
    }
    REQUIRE(mask_names(graph_, applied_) == mask_names(graph_, expected));
  }

  void check_invariants(const std::string& when) {
    INFO("at " << when << ", applied {" << join(mask_names(graph_, applied_)) << "}");
    auto rows = books_->version_rows();
    std::sort(rows.begin(), rows.end());
    auto heads = test_helpers::sorted_names(graph_, graph_.heads_of(applied_));
    REQUIRE(rows == heads);
    // The planner's own idea of the heads agrees, and so does reading the rows back.
    REQUIRE(test_helpers::sorted_names(graph_, state_.heads) == heads);
    REQUIRE(mask_names(graph_, state_.applied) == mask_names(graph_, applied_));
    REQUIRE(mask_names(graph_, state_from_version_rows(graph_, rows).applied) ==
            mask_names(graph_, applied_));
    std::vector<std::string> tables;
    for (const auto& t : test_tables()) tables.push_back(t.substr(2));
    REQUIRE(tables == mask_names(graph_, applied_));
    REQUIRE(history_count() == history_rows_);
  }

  std::vector<std::string> test_tables() {
    pqxx::nontransaction tx(connection_);
    std::vector<std::string> out;
    for (const auto& row : tx.exec("SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                                   "AND tablename LIKE 't\\_%' ORDER BY tablename"))
      out.push_back(row[0].c_str());
    std::sort(out.begin(), out.end());
    return out;
  }

 private:
  long history_count() {
    pqxx::nontransaction tx(connection_);
    return tx.exec1("SELECT count(*) FROM " + books_->history_table())[0].as<long>();
  }
  std::vector<std::string> names(const std::vector<node_id>& ids) const {
    return test_helpers::names(graph_, ids);
  }
  static std::string join(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& s : items) out += (out.empty() ? "" : ", ") + s;
    return out;
  }

  std::string url_;
  pqxx::connection connection_;
  std::vector<migration> migrations_;
  std::map<std::string, std::string> checksums_;
  revision_graph graph_;
  std::vector<char> applied_;
  applied_state state_;
  std::unique_ptr<bookkeeping> books_;
  long history_rows_ = 0;
};

}  // namespace

TEST_CASE("random graphs: upgrade heads, then downgrade base, leaves nothing behind",
          "[property][postgres]") {
  for (int i = 0; i < graphs_per_test; ++i) {
    unsigned seed = base_seed() + static_cast<unsigned>(i);
    std::mt19937 rng(seed);
    auto revs = random_graph(rng);
    INFO("seed " << seed << " (MIGRATION_TOOLS_PROPERTY_SEED=" << base_seed() << ", graph " << i
                 << "), graph:\n"
                 << describe(revs));
    graph_run run(revs, rng, "mt_property_full");
    run.upgrade("heads");
    REQUIRE(std::all_of(run.applied().begin(), run.applied().end(), [](char c) { return c != 0; }));
    // Once at the heads, upgrading again does nothing.
    run.upgrade("heads");
    run.downgrade("base");
    REQUIRE(run.state().heads.empty());
    REQUIRE(run.test_tables().empty());
  }
}

TEST_CASE("random graphs: random upgrade and downgrade targets keep the version table right",
          "[property][postgres]") {
  for (int i = 0; i < graphs_per_test; ++i) {
    unsigned seed = base_seed() + 1000u + static_cast<unsigned>(i);
    std::mt19937 rng(seed);
    auto revs = random_graph(rng);
    INFO("seed " << seed << " (MIGRATION_TOOLS_PROPERTY_SEED=" << base_seed() << ", graph " << i
                 << "), graph:\n"
                 << describe(revs));
    graph_run run(revs, rng, "mt_property_random");
    const auto& g = run.graph();
    auto pick = [&](const std::vector<node_id>& from) { return from[rng() % from.size()]; };
    for (int move = 0; move < 12; ++move) {
      std::vector<node_id> applied, not_applied, applied_non_heads;
      for (node_id id = 0; id < static_cast<node_id>(g.size()); ++id) {
        if (!run.applied()[static_cast<size_t>(id)]) {
          not_applied.push_back(id);
          continue;
        }
        applied.push_back(id);
        auto& heads = run.state().heads;
        if (std::find(heads.begin(), heads.end(), id) == heads.end())
          applied_non_heads.push_back(id);
      }
      bool up = applied.empty() || (!not_applied.empty() && rng() % 2 == 0);
      if (up) {
        // Upgrade to an unapplied revision: it and its ancestors are applied.
        run.upgrade(g.revision(pick(not_applied)));
      } else {
        // Downgrade to an applied revision: what is above its children goes.
        run.downgrade(g.revision(pick(applied)));
      }
      // Upgrading to an applied revision below the heads does nothing (as in
      // Alembic); an unapplied one is no downgrade target.
      if (!applied_non_heads.empty() && rng() % 4 == 0) {
        node_id t = pick(applied_non_heads);
        if (run.applied()[static_cast<size_t>(t)])
          REQUIRE(plan_upgrade(g, run.state(), g.revision(t)).steps.empty());
      }
      if (!not_applied.empty() && rng() % 4 == 0) {
        node_id t = pick(not_applied);
        if (!run.applied()[static_cast<size_t>(t)])
          REQUIRE_THROWS_AS(plan_downgrade(g, run.state(), g.revision(t)), revision_error);
      }
    }
    run.downgrade("base");
    REQUIRE(run.state().heads.empty());
    REQUIRE(run.test_tables().empty());
  }
}
