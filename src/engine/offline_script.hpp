// Offline mode: `upgrade [FROM:]TO --sql` and `downgrade FROM:TO --sql` print
// the SQL script of the migrations between FROM and TO, to be run later with
// `psql -v ON_ERROR_STOP=1 -f script.sql`, and touch no database.
#pragma once

#include <functional>
#include <ostream>
#include <string>

#include "migration_tools/core/planner.hpp"
#include "migration_tools/core/revision_graph.hpp"
#include "migration_tools/postgres/bookkeeping_sql.hpp"
#include "runner_context.hpp"

namespace migration_tools::engine {

struct offline_script_summary {
  size_t steps = 0;
  std::vector<node_id> from;  // the heads the script starts from
  std::vector<node_id> to;    // and leaves
};

// `range` is `[FROM:]TO` for upgrade (FROM defaults to base, TO to head) and
// `FROM:TO` for downgrade. Writes the script to stdout, or to `output` when
// it is not empty: through a temporary file renamed into place once the
// whole script is written, so that FILE is complete or untouched. Any write
// error (a full disk, a closed pipe) throws.
offline_script_summary write_offline_script(runner_context& ctx, const std::string& range,
                                            direction dir, const std::string& output);

struct offline_script_input {
  const revision_graph& graph;
  bookkeeping_names names;
  std::string runner;   // the runner's name, for the script's header
  std::string command;  // the command line that made it, for the header
  applied_state from;   // the state the script starts from
  plan steps;           // from the planner, starting at `from`
  std::function<std::string(node_id)> checksum;
  timeouts limits;  // --lock-timeout, --statement-timeout (header keys win)
  // limits' lock_timeout is the lock guard's default, which CONCURRENTLY
  // index statements go without, as online (concurrent_statements.hpp).
  bool default_lock_timeout = false;
};

// The script, written to `script` migration by migration. Throws
// migration_file_error (naming each file and revision), before writing
// anything, when a step cannot be written as SQL: a C++ migration, which needs
// a connection, or a downgrade of a migration without a downgrade section.
void write_offline_script(const offline_script_input& input, std::ostream& script);
// The same, as one string.
std::string write_offline_script(const offline_script_input& input);

}  // namespace migration_tools::engine
