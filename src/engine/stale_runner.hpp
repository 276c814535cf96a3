// A runner is stale when the migrations in its source directory differ from
// the ones it embeds: a file was added, removed or edited since it was built.
#pragma once

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

// Empty when the runner matches its sources, or when the source directory is
// not there (a runner deployed without its source tree).
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
