// A runner is stale when the migrations in its source directory differ from
// the ones it embeds: a file was added, removed or edited since it was built.
#pragma once

#include <string>
#include <vector>

#include "migration_tools/embedded.hpp"
#include "migration_tools/runner.hpp"

namespace migration_tools::cli {

struct stale_file {
  std::string path;    // as in diagnostics
  const char* change;  // "added", "removed" or "edited"
};

// Empty when the runner matches its sources, or when the source directory is
// not there (a runner deployed without its source tree).
std::vector<stale_file> find_stale_files(const runner_config& config,
                                         const embedded_catalog& catalog);

std::string describe_stale_files(const std::vector<stale_file>& files);

}  // namespace migration_tools::cli
