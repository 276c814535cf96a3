// A fleet: one command over many databases (or tenant schemas), each target
// migrated exactly as a run of its own would do it, a bounded number at a
// time, with a summary and a state file that a later run resumes from.
// Returns results; the command line prints them (cli/fleet_commands.cpp).
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

namespace migration_tools::engine {

struct fleet_target {
  std::string url;
  std::string tenant_schema;  // empty: the runner's bookkeeping schema
  // How the target is shown and keyed in the state file: the connection
  // without its password, and the tenant schema.
  std::string name;
};

// What one target's command did. exit_code is the runner's: 0 ok,
// 1 failure, 2 bad input, 3 check found problems.
struct target_outcome {
  std::vector<std::string> from;  // version rows before
  std::vector<std::string> to;    // and after
  // false: the database could not be asked (before, or after a failure)
  bool from_known = true, to_known = true;
  int steps = 0;
  int exit_code = 0;
  std::string message;  // the error, or what check found; empty when ok
};

enum class target_status { ok, failed, done_before, not_run };
const char* status_text(target_status s);

struct target_report {
  size_t index = 0;  // in the list given to run_fleet
  fleet_target target;
  target_status status = target_status::not_run;
  target_outcome outcome;
  std::chrono::milliseconds duration{0};
};

struct fleet_settings {
  int jobs = 1;            // at most this many targets at once
  bool fail_fast = false;  // after a failure, start no other target
  int canary = 0;          // the first K targets alone; the rest only if all of them succeed
  std::string state_file;  // where what each target reached is recorded ("": nowhere)
  bool resume = false;     // skip the targets the state file says reached the goal
  // What the run is for, recorded in the state file: a resume must be of the
  // same command ("upgrade head").
  std::string goal;
};

struct fleet_report {
  std::vector<target_report> targets;  // in the order given
  int exit_code = 0;                   // the worst target's
  std::chrono::milliseconds duration{0};
};

// Runs one target; must not throw (map errors to an outcome). Called from
// worker threads, one target per call.
using target_work = std::function<target_outcome(const fleet_target&, size_t index, bool resume)>;
// Called as each target finishes (or is skipped), under a lock: one call at a time.
using target_finished = std::function<void(const target_report&, size_t finished, size_t total)>;

// The default --jobs: the machine's cores, at most 8.
int default_fleet_jobs();

// The worst of two exit codes: a failure (1) over bad input (2) over a check
// that found problems (3) over success (0).
int worse_exit_code(int a, int b);

fleet_report run_fleet(const std::vector<fleet_target>& targets, const fleet_settings& settings,
                       const target_work& work, const target_finished& finished);

// Reads a --urls-file: one URL per line, blank lines and `#` comments
// ignored. Throws usage_error naming the file and line of a line that is no
// URL or connection string.
std::vector<std::string> read_urls_file(const std::string& path);

}  // namespace migration_tools::engine
