// A runner is stale when the migrations in its source directory differ from
// the ones it embeds: a file was added, removed or edited since it was built.
#pragma once

#include <future>
#include <memory>
#include <string>
#include <vector>

#include "migration_tools/core/migration.hpp"
#include "migration_tools/embedded.hpp"
#include "migration_tools/runner.hpp"

namespace migration_tools::engine {

struct stale_file {
  std::string path;    // as in diagnostics
  const char* change;  // "added", "removed" or "edited"
};

// The comparison of a runner's sources with what it embeds, started at
// construction on a thread of its own: the thread lists the directories, then
// compares the files (a stat each). result() compares what is left from the
// calling thread too, so that a command that has built its graph helps
// rather than waits: at 1,000 migrations the stats are the longest part of a
// `heads` (bench/README.md, start-up).
class stale_check {
 public:
  stale_check(const runner_config& config, const embedded_catalog& catalog);
  stale_check(const stale_check&) = delete;
  stale_check& operator=(const stale_check&) = delete;
  ~stale_check();  // waits for the thread
  // Empty when the runner matches its sources, or when the source directory
  // is not there (a runner deployed without its source tree). Once only.
  std::vector<stale_file> result();

 private:
  struct state;
  std::unique_ptr<state> state_;
  std::promise<void> listed_promise_;
  std::future<void> listed_;
  std::future<std::vector<stale_file>> thread_;
};

// stale_check(config, catalog).result().
std::vector<stale_file> find_stale_files(const runner_config& config,
                                         const embedded_catalog& catalog);

std::string describe_stale_files(const std::vector<stale_file>& files);
// "the migrations", "the declared schema" or both: what the stale files are.
std::string stale_sources(const runner_config& config, const std::vector<stale_file>& files);

// The migrations as the source directory holds them now: the embedded ones,
// with the stale files (find_stale_files) read again: added and edited ones
// parsed from disk, removed ones left out. For `new` and `merge`, which must
// plan from what is on disk: two `new` in a row without a rebuild make a
// chain, not two heads. Problems in the files are appended to `diagnostics`.
std::vector<migration> migrations_on_disk(const runner_config& config,
                                          const embedded_catalog& catalog,
                                          const std::vector<stale_file>& stale,
                                          std::vector<diagnostic>& diagnostics);

}  // namespace migration_tools::engine
