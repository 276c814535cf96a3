// Runs a program and captures its output, for tests that drive runners.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace migration_tools::test {

struct process_result {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs `args` (args[0] is the program path) with extra environment variables.
process_result run_process(const std::vector<std::string>& args,
                           const std::vector<std::pair<std::string, std::string>>& env = {});

}  // namespace migration_tools::test
