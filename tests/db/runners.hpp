// The fixture runners built by tests/db/CMakeLists.txt, as process calls.
#pragma once

#include <string>
#include <vector>

#include "process.hpp"

namespace migration_tools::test {

inline process_result run_runner(const char* runner, const std::string& url,
                                 std::vector<std::string> args) {
  args.insert(args.begin(), {runner, "--url", url, "--color", "never"});
  return run_process(args);
}

inline process_result linear(const std::string& url, std::vector<std::string> args) {
  return run_runner(LINEAR_RUNNER, url, std::move(args));
}

}  // namespace migration_tools::test
