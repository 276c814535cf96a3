// Entry point of a generated runner executable.
#pragma once

#include <string>

#include "migration_tools/embedded.hpp"

namespace migration_tools {

// Baked into each runner by add_migrations().
struct runner_config {
  const char* name;            // the runner's name, e.g. "migrate"
  const char* default_url;     // DATABASE_URL given to add_migrations(), or ""
  const char* schema;          // where the bookkeeping tables live
  const char* version_table;   // the version table; history is <table>_history
  const char* migrations_dir;  // absolute source directory, where `new` writes
  const char* source_root;     // the project's source directory (display paths)
  const char* dev_db_dir;      // where the development cluster lives
  const char* build_dir;       // the build tree, for messages
  bool allow_multiple_heads;
  const char* schema_dir;  // absolute declared-schema directory, or "" without one
  // The add_migrations() keywords the caller gave ("DIRECTORY SCHEMA "), so
  // that `config` credits a default as one.
  const char* passed_keywords = "";
  // The configuration the runner was built in, under a multi-config generator
  // (Ninja Multi-Config, Visual Studio, Xcode); "" otherwise.
  const char* build_config = "";
};

// A runner is two executables. `<name>` (run_runner_front) answers the
// commands that need no database without loading libpq, and executes
// `<name>-online` (run_runner), which answers every command, for the others.
int run_runner_front(const runner_config& config, const embedded_catalog& catalog, int argc,
                     char** argv);
int run_runner(const runner_config& config, const embedded_catalog& catalog, int argc, char** argv);

// The file name of the online runner of `name`: "<name>-online".
inline std::string online_runner_name(const std::string& name) {
  return name + "-online";
}

}  // namespace migration_tools
