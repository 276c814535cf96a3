// A runner is stale when the migrations in its source directory differ from
// the ones it embeds: a file was added, removed or edited since it was built.
#pragma once

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

// The comparison of a runner's sources with what it embeds, begun at
// construction on a thread of its own: list the directories, then compare
// each file (a stat). result() does the same work from the calling thread,
// sharing it: whichever thread comes first lists, and both compare until no
// file is left. So a command that has built its graph helps rather than
// waits, and one whose helper has not even been scheduled yet (waking an idle
// processor of a virtual machine takes milliseconds) does it all itself: at
// 1,000 migrations the stats are the longest part of a `heads`
// (bench/README.md, start-up).
class stale_check {
 public:
  // Starts the check on a helper thread (the caller's thread joins in at
  // result()), unless `helper` is false: then result() does it all, for a
  // caller that already keeps the other processor busy.
  stale_check(const runner_config& config, const embedded_catalog& catalog, bool helper = true);
  stale_check(const stale_check&) = delete;
  stale_check& operator=(const stale_check&) = delete;
  // Empty when the runner matches its sources, or when the source directory
  // is not there (a runner deployed without its source tree). Once only.
  std::vector<stale_file> result();
  // After result(): whether the directories were listed. When the times of
  // the directories the scanner recorded (embedded_catalog::directories)
  // still match, no entry was added, removed or renamed, and the embedded
  // files are compared without a listing.
  bool listed_directories() const;

 private:
  struct state;
  std::shared_ptr<state> state_;
  const runner_config& config_;
};

std::string describe_stale_files(const std::vector<stale_file>& files);
// "the migrations", "the declared schema" or both: what the stale files are.
std::string stale_sources(const runner_config& config, const std::vector<stale_file>& files);

// The migrations as the source directory holds them now: the embedded ones,
// with the stale files (stale_check::result) read again: added and edited ones
// parsed from disk, removed ones left out. For `new` and `merge`, which must
// plan from what is on disk: two `new` in a row without a rebuild make a
// chain, not two heads. Problems in the files are appended to `diagnostics`.
std::vector<migration> migrations_on_disk(const runner_config& config,
                                          const embedded_catalog& catalog,
                                          const std::vector<stale_file>& stale,
                                          std::vector<diagnostic>& diagnostics);

}  // namespace migration_tools::engine
