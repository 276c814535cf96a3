// Runs a program and captures its output, for tests that drive runners.
#pragma once

#include <sys/types.h>

#include <string>
#include <utility>
#include <vector>

namespace migration_tools::test {

struct process_result {
  int exit_code = -1;
  std::string out;
  std::string err;
  bool timed_out = false;  // finish_process killed it
};

// Runs `args` (args[0] is the program path) with extra environment variables.
process_result run_process(const std::vector<std::string>& args,
                           const std::vector<std::pair<std::string, std::string>>& env = {});

// A child started by start_process and not yet waited for.
struct running_process {
  pid_t pid = -1;
  std::string out_path;
  std::string err_path;
};

// A pipe that holds children back until the caller closes it (open()),
// so that many children can be started and then released at once.
struct start_gate {
  int read_fd = -1;
  int write_fd = -1;
  void open();
  void release();  // closes both ends: every waiting child goes on
};

// Starts `args` without waiting. With a gate, the child waits for its
// release before it execs.
running_process start_process(const std::vector<std::string>& args,
                              const std::vector<std::pair<std::string, std::string>>& env = {},
                              const start_gate* gate = nullptr);

// Waits for the child and collects its exit code and output. With a timeout,
// a child still running after that many seconds is killed (SIGKILL) and the
// result says timed_out.
process_result finish_process(running_process& child, int timeout_seconds = 0);

}  // namespace migration_tools::test
