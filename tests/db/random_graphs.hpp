// Random valid revision graphs for the property tests (branches, merges,
// several bases, dependencies), with fixed seeds that can be replayed.
#pragma once

#include <algorithm>
#include <cstdlib>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "graph_helpers.hpp"

namespace test_helpers {

// The first seed; MIGRATION_TOOLS_PROPERTY_SEED=<n> runs other graphs.
inline unsigned base_seed() {
  const char* v = std::getenv("MIGRATION_TOOLS_PROPERTY_SEED");
  return v && *v ? static_cast<unsigned>(std::strtoul(v, nullptr, 10)) : 20261122u;
}

// A random valid graph of 4..15 revisions n0, n1, ...: each revision's parents
// and dependencies come from earlier ones, so there is no cycle. Some start a
// new root, most have one parent (a branch when that parent already has a
// child), some merge two or three revisions (usually heads, sometimes any
// earlier revisions), a few depend on a revision that is not a parent.
inline std::vector<rev> random_graph(std::mt19937& rng) {
  auto roll = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
  int n = 4 + roll(12);
  std::vector<rev> revs;
  std::vector<int> children(static_cast<size_t>(n), 0);
  for (int i = 0; i < n; ++i) {
    std::string name = "n" + std::to_string(i);
    std::vector<int> parents;
    int kind = roll(100);
    if (i > 0 && kind >= 12) {
      int wanted = kind < 75 ? 1 : kind < 93 ? 2 : 3;
      wanted = std::min(wanted, i);
      std::vector<int> heads;
      for (int j = 0; j < i; ++j)
        if (children[static_cast<size_t>(j)] == 0) heads.push_back(j);
      bool from_heads = wanted > 1 ? roll(100) < 70 : roll(100) < 60;
      const std::vector<int>* pool = &heads;
      std::vector<int> all;
      for (int j = 0; j < i; ++j) all.push_back(j);
      if (!from_heads || static_cast<int>(heads.size()) < wanted) pool = &all;
      std::vector<int> candidates = *pool;
      std::shuffle(candidates.begin(), candidates.end(), rng);
      parents.assign(candidates.begin(), candidates.begin() + wanted);
    }
    std::string down;
    for (int p : parents) {
      down += (down.empty() ? "" : " ") + revs[static_cast<size_t>(p)].revision;
      ++children[static_cast<size_t>(p)];
    }
    std::string depends;
    if (i > 1 && roll(100) < 12) {
      int d = roll(i);
      if (std::find(parents.begin(), parents.end(), d) == parents.end())
        depends = revs[static_cast<size_t>(d)].revision;
    }
    revs.emplace_back(name, down, "", depends);
  }
  return revs;
}

// One line per revision, for failure messages: `n3 <- (n1 n2) depends_on n0`.
inline std::string describe(const std::vector<rev>& revs) {
  std::ostringstream out;
  for (const auto& r : revs) {
    out << r.revision << " <- (" << (r.down.empty() ? "base" : r.down) << ")";
    if (!r.depends.empty()) out << " depends_on " << r.depends;
    out << "\n";
  }
  return out.str();
}

}  // namespace test_helpers
