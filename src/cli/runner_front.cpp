// The runner users run: it answers the commands that need no database and
// executes the online runner beside it for the others, so that `heads` or
// `upgrade --sql` never load libpq (database_session.hpp).
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "command_line.hpp"

namespace migration_tools {

namespace {

using namespace cli;

// The directory of this executable, from the kernel rather than argv[0],
// which a PATH lookup or the caller may have set to anything. Empty, with
// `error` set, when the kernel will not say (no /proc, a path too long).
std::string own_directory(int& error) {
  std::vector<char> buf(4096);
  for (;;) {
    ssize_t n = ::readlink("/proc/self/exe", buf.data(), buf.size());
    if (n < 0) {
      error = errno;
      return {};
    }
    if (static_cast<size_t>(n) < buf.size()) {
      std::string path(buf.data(), static_cast<size_t>(n));
      auto slash = path.rfind('/');
      if (slash == std::string::npos) {
        error = ENOENT;
        return {};
      }
      return slash == 0 ? "/" : path.substr(0, slash);
    }
    if (buf.size() >= (1u << 20)) {
      error = ENAMETOOLONG;
      return {};
    }
    buf.resize(buf.size() * 2);
  }
}

int hand_over(const runner_config& config, int argc, char** argv) {
  int error = 0;
  std::string directory = own_directory(error);
  if (directory.empty()) {
    // Not "/<name>-online": a path this runner did not choose.
    print_error(config.name, std::string("cannot find this runner's own path to run the online "
                                         "runner beside it (readlink /proc/self/exe: ") +
                                 std::strerror(error) + "); run " +
                                 online_runner_name(config.name) + " from the build directory");
    return database_failure;
  }
  std::string online = (directory == "/" ? "" : directory) + "/" + online_runner_name(config.name);
  std::vector<char*> args(argv, argv + argc);
  args.push_back(nullptr);
  // execv, not a shell: the path reaches no shell and needs no quoting.
  ::execv(online.c_str(), args.data());
  error = errno;
  print_error(config.name,
              "cannot run the online runner " + online + ": " + std::strerror(error) +
                  "\n  it is built with this one: " + build_command(config, config.name));
  return database_failure;
}

}  // namespace

int run_runner_front(const runner_config& config, const embedded_catalog& catalog, int argc,
                     char** argv) {
  runner_mode mode;
  mode.hand_over = &hand_over;
  return end_runner(run_runner_as(config, catalog, argc, argv, mode));
}

}  // namespace migration_tools
