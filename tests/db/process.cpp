#include "process.hpp"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace migration_tools::test {

namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

void start_gate::open() {
  int fds[2];
  if (::pipe(fds) != 0) throw std::runtime_error("pipe failed");
  read_fd = fds[0];
  write_fd = fds[1];
}

void start_gate::release() {
  if (read_fd >= 0) ::close(read_fd);
  if (write_fd >= 0) ::close(write_fd);
  read_fd = write_fd = -1;
}

running_process start_process(const std::vector<std::string>& args,
                              const std::vector<std::pair<std::string, std::string>>& env,
                              const start_gate* gate) {
  // Output goes to temporary files: no pipe can fill up and block the child.
  char out_path[] = "/tmp/mt-test-out-XXXXXX";
  char err_path[] = "/tmp/mt-test-err-XXXXXX";
  int out_fd = ::mkstemp(out_path);
  int err_fd = ::mkstemp(err_path);
  if (out_fd < 0 || err_fd < 0) throw std::runtime_error("mkstemp failed");
  pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    if (gate) {
      // End-of-file comes once the parent and every child closed the write end.
      ::close(gate->write_fd);
      char c;
      while (::read(gate->read_fd, &c, 1) > 0) {
      }
      ::close(gate->read_fd);
    }
    ::dup2(out_fd, 1);
    ::dup2(err_fd, 2);
    int null = ::open("/dev/null", O_RDONLY);
    ::dup2(null, 0);
    for (const auto& [key, value] : env) ::setenv(key.c_str(), value.c_str(), 1);
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    std::perror("execv");
    ::_exit(127);
  }
  ::close(out_fd);
  ::close(err_fd);
  return {pid, out_path, err_path};
}

process_result finish_process(running_process& child, int timeout_seconds) {
  process_result r;
  int status = 0;
  if (timeout_seconds > 0) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_seconds);
    while (::waitpid(child.pid, &status, WNOHANG) == 0) {
      if (std::chrono::steady_clock::now() >= deadline) {
        ::kill(child.pid, SIGKILL);
        ::waitpid(child.pid, &status, 0);
        r.timed_out = true;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  } else {
    ::waitpid(child.pid, &status, 0);
  }
  child.pid = -1;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.out = slurp(child.out_path);
  r.err = slurp(child.err_path);
  ::unlink(child.out_path.c_str());
  ::unlink(child.err_path.c_str());
  return r;
}

process_result run_process(const std::vector<std::string>& args,
                           const std::vector<std::pair<std::string, std::string>>& env) {
  auto child = start_process(args, env);
  return finish_process(child);
}

}  // namespace migration_tools::test
