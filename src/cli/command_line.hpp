// What the runner's command line asked for, and the two executables that
// answer it (database_session.hpp says why there are two).
#pragma once

#include <string>
#include <vector>

#include "commands.hpp"

namespace migration_tools::cli {

// Many targets in one run (fleet_commands.cpp): databases, tenant schemas.
struct fleet_options {
  std::vector<std::string> urls;  // --url, repeated
  std::string urls_file;          // --urls-file
  std::vector<std::string> tenant_schemas;
  std::string tenant_schemas_from;  // a query listing them
  int jobs = 0;                     // 0: the cores, at most 8
  bool fail_fast = false;
  int canary = 0;
  std::string state_file;
  bool is_fleet() const {
    return urls.size() > 1 || !urls_file.empty() || !tenant_schemas.empty() ||
           !tenant_schemas_from.empty();
  }
};

// The one subcommand parsed, with its arguments. Subcommands that take the
// same kind of value share a field.
struct parsed_command {
  std::string name;    // "upgrade", "heads", ...
  std::string target;  // upgrade, downgrade
  bool sql = false;
  std::string output;      // --output of --sql and dump
  std::string check_file;  // dump --check: the committed dump to compare
  bool resume = false;
  std::vector<std::string> revisions;  // stamp, merge
  bool purge = false;
  bool verbose = false;
  history_options history;
  std::string revision;  // show
  new_options create;    // new; merge's -m, --rev-id and --branch-label
  bool autogenerate = false;
  std::string diff_from = "migrations";
  std::string diff_to = "schema";
  std::string dev_action;
  bool offline = false;  // check --offline
  test_options test;
  lint_options lint;
  fleet_options fleet;
};

// Whether the command reaches the database (or the development cluster).
bool needs_database(const parsed_command& c);

struct runner_mode {
  // Runs a command for which needs_database() holds; null in the runner
  // users run, which hands those over instead.
  int (*run_online)(runner_context& ctx, const parsed_command& c) = nullptr;
  // Executes the online runner with the same arguments; returns only when
  // it cannot.
  int (*hand_over)(const runner_config& config, int argc, char** argv) = nullptr;
  database_opener open_database = nullptr;
  // Runs a command over many targets (fleet_options::is_fleet); null in the
  // runner users run, which hands those over.
  int (*run_fleet)(const runner_config& config, const embedded_catalog& catalog,
                   const global_options& options, const parsed_command& c) = nullptr;
};

// upgrade, downgrade, current, check and stamp over many targets.
int fleet_command(const runner_config& config, const embedded_catalog& catalog,
                  const global_options& options, const parsed_command& c);

int run_runner_as(const runner_config& config, const embedded_catalog& catalog, int argc,
                  char** argv, const runner_mode& mode);

// Ends the runner users run with `rc` once its command has returned: flushes
// the output and ends the process at once, skipping the static destructors
// and exit handlers (libstdc++'s, CLI11's, libcrypto's): 0.3 to 1 ms of a
// `heads` (bench/README.md, start-up). Nothing of a runner outlives its
// command: its connections are closed when the command returns, and a
// command writes its files whole before it returns. The online runner ends
// so too, so that a connection begun early and not needed
// (database_session::start_connecting) is not torn from under its thread.
// Under AddressSanitizer, whose leak check runs at exit, it returns `rc`
// instead, unless such a connection was left on its way.
int end_runner(int rc);

// `runner: error: message`, unless the message already names its file.
void print_error(const char* runner, const std::string& message);
// `message`, and when it is one of missing privileges (SQLSTATE 42501), the
// privileges the runner's role needs.
std::string with_privilege_hint(const runner_config& config, const std::string& message);

}  // namespace migration_tools::cli
