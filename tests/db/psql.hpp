// Offline scripts applied the way the README says: psql -v ON_ERROR_STOP=1 -f FILE.
// Needs PSQL_PROGRAM (tests/db/CMakeLists.txt).
#pragma once

#include <filesystem>
#include <fstream>
#include <string>

#include "process.hpp"

namespace migration_tools::test {

// Writes `script` to `path` and runs it; the file stays (for a look at a failure).
inline process_result apply_script_file(const std::string& url, const std::string& script,
                                        const std::string& path) {
  {
    std::ofstream out(path, std::ios::binary);
    out << script;
  }
  return run_process({PSQL_PROGRAM, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url, "-f", path});
}

// The same through a temporary file named after `name`, removed afterwards.
inline process_result apply_script(const std::string& url, const std::string& script,
                                   const std::string& name) {
  auto path = std::filesystem::temp_directory_path() / ("mt-script-" + name + ".sql");
  auto r = apply_script_file(url, script, path.string());
  std::filesystem::remove(path);
  return r;
}

}  // namespace migration_tools::test
