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
#include "migration_tools/postgres/step_watch.hpp"
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

// A step that gave up waiting for a lock (the lock guard): nothing of it
// stays, and unless it was the last try it runs again after `pause`.
struct lock_timeout_report {
  migration_run_step step;
  int attempt = 1;                         // the try that timed out, 1-based
  int tries = 1;                           // how many there may be in all
  std::chrono::milliseconds waited{0};     // how long this try ran
  std::vector<blocking_session> blockers;  // who held or queued ahead, last seen
  std::string unseen_because;              // why no blocker could be read, if none could
  std::chrono::milliseconds pause{0};      // before the next try; 0 after the last
};
using lock_timeout_listener = std::function<void(const lock_timeout_report&)>;
// How far a long step has got (step_watch): `report` is called once the step
// has run for `after`, then every `every`, and once more when it ends.
struct progress_reporting {
  std::function<void(const migration_run_step&, const step_progress&)> report;
  std::chrono::milliseconds after{2000};
  std::chrono::milliseconds every{5000};
};

// "blocked by pid ... (...): query; pid ...", or why none is named.
std::string blockers_text(const std::vector<blocking_session>& blockers,
                          const std::string& unseen_because);

// What stops one step of `id` in direction `dir` before it runs: no
// downgrade section, an upgrade never filled in, a C++ body missing.
std::optional<diagnostic> step_blocker(const revision_graph& graph, node_id id, direction dir);

// Plans over the whole graph, checks that every step can run (files,
// checksums, a failed transactional-false migration), takes the migration
// lock, plans again, and runs each step in its own transaction. Throws on the
// first problem; what ran before it stays applied.
// A step whose lock wait times out (SQLSTATE 55P03) is tried again, as
// global_options' lock_retries says, each timeout reported to
// `on_lock_timeout`; after the last try the run fails, the blockers named.
migration_run run_migrations(runner_context& ctx, const std::string& target, direction dir,
                             bool resume, const step_listener& before_step,
                             const lock_timeout_listener& on_lock_timeout = nullptr,
                             const progress_reporting& progress = {});

}  // namespace migration_tools::engine
