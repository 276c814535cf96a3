// An upgrade or downgrade as a result rather than output: the runner's
// commands print it, the in-app migrator (migration_tools/migrator.hpp)
// returns it.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "migration_tools/core/diagnostic.hpp"
#include "migration_tools/core/planner.hpp"
#include "runner_context.hpp"

namespace migration_tools::engine {

struct migration_run_step {
  std::string revision;
  std::string message;
  std::string path;
  std::string label;  // "a -> b" (upgrade) or "b -> a" (downgrade)
  std::chrono::milliseconds duration{0};
};

struct migration_run {
  std::vector<std::string> from;  // the version rows before
  std::vector<std::string> to;    // and after
  std::vector<migration_run_step> steps;
  std::chrono::milliseconds duration{0};
};

// Called before each step runs, with the step (its duration still 0).
using step_listener = std::function<void(const migration_run_step&)>;

// What stops one step of `id` in direction `dir` before it runs: no
// downgrade section, an upgrade never filled in, a C++ body missing.
std::optional<diagnostic> step_blocker(const revision_graph& graph, node_id id, direction dir);

// Plans over the whole graph, checks that every step can run (files,
// checksums, a failed transactional-false migration), takes the migration
// lock, plans again, and runs each step in its own transaction. Throws on the
// first problem; what ran before it stays applied.
migration_run run_migrations(runner_context& ctx, const std::string& target, direction dir,
                             bool resume, const step_listener& before_step);

}  // namespace migration_tools::engine
