// The runner's commands. Each returns the process exit code. They parse,
// print and map errors to exit codes; what they do is the engine's
// (src/engine: upgrade, offline scripts, checksums, the database session).
#pragma once

#include <string>
#include <vector>

#include "../engine/runner_context.hpp"

namespace migration_tools::cli {

// The command line is built on the engine.
using namespace engine;

// Exit codes of the contract.
enum exit_code : int {
  ok = 0,
  database_failure = 1,
  bad_input = 2,
  check_failed = 3,
  // `test`: nothing failed, but a test stopped early (an irreversible
  // migration ends the stairway); CTest's SKIP_RETURN_CODE.
  test_skipped = 77
};

// `resume`: continue a `transactional false` migration that failed part-way
// at its failed statement (see failed_state.hpp).
int upgrade_command(runner_context& ctx, const std::string& target, bool resume = false);
int downgrade_command(runner_context& ctx, const std::string& target, bool resume = false);
// `purge`: empty the version table first, whatever it holds (Alembic's --purge).
int stamp_command(runner_context& ctx, const std::vector<std::string>& targets, bool purge);
int current_command(runner_context& ctx, bool verbose);
struct history_options {
  std::string range;  // START:END, either side may be empty
  bool verbose = false;
  bool indicate_current = false;
};
int history_command(runner_context& ctx, const history_options& options);
// Whether a revision spec of history or show needs the database's state
// (current, or relative: +N, -N).
bool names_database_state(const std::string& spec);
int branches_command(runner_context& ctx, bool verbose);
int show_command(runner_context& ctx, const std::string& revision);
int heads_command(runner_context& ctx, bool verbose);
int check_command(runner_context& ctx);
// What check finds, each problem a text; `state` gets the database's state
// when it could be read.
std::vector<std::string> check_problems(runner_context& ctx, applied_state& state);
// `check --offline`: the graph's part of check alone (one head, unless
// ALLOW_MULTIPLE_HEADS), without a database; the CTest test of add_migrations'
// GRAPH_TEST runs it.
int check_graph_command(runner_context& ctx);
// The problems of the graph that check reports (divergent heads).
std::vector<std::string> graph_problems(const runner_context& ctx);
// Records the current checksum of each applied migration whose file changed
// (a history row of direction 'repair'), under the migration lock.
int repair_command(runner_context& ctx);
// upgrade --sql, downgrade --sql (offline_commands.cpp).
int offline_upgrade_command(runner_context& ctx, const std::string& range,
                            const std::string& output = "");
int offline_downgrade_command(runner_context& ctx, const std::string& range,
                              const std::string& output = "");

struct new_options {
  std::string message;
  std::string rev_id;
  std::string head;                     // parent: a revision, or base for a new root
  bool splice = false;                  // allow a non-head parent (starts a branch)
  std::vector<std::string> depends_on;  // identifiers; written as full revision ids
  std::string branch_label;
  bool cpp = false;
  // Written by `new --autogenerate`: the sections' SQL (empty: a blank template).
  std::string upgrade_sql;
  std::string downgrade_sql;
  // `new --autogenerate`: the second migration of a change written for a busy
  // database has the first as its parent (not yet in the graph), and header
  // lines of its own ("transactional false", "lock_timeout 5s").
  std::string parent_revision;
  std::vector<std::string> header_lines;
  // `new --autogenerate`: the busy-database forms, each on unless turned off.
  bool concurrent_indexes = true;   // --no-concurrent-indexes
  bool not_valid = true;            // --no-not-valid
  std::string lock_timeout = "5s";  // --lock-timeout-header none|DURATION
};
int new_command(runner_context& ctx, const new_options& options);
// The id of a new revision: `requested` checked (grammar, not taken), or 12
// random hex digits.
std::string new_revision_id(const runner_context& ctx, const std::string& requested);
int merge_command(runner_context& ctx, const std::vector<std::string>& revisions,
                  const std::string& message, const std::string& rev_id,
                  const std::string& branch_label);

// Autogenerate (autogenerate_commands.cpp): the declared schema against the
// head state of the migrations, on the scratch server.
int autogenerate_command(runner_context& ctx, new_options options);
// The scratch server of autogenerate, diff, dump, check and test: --dev-url,
// MIGRATE_DEV_URL, else the development cluster (started when needed, not
// under CI). Checked by connecting once.
std::string scratch_server(runner_context& ctx);
// `diff [FROM [TO]]`: each of migrations, schema or database.
int diff_command(runner_context& ctx, std::string from, std::string to);
// `dump`: the head state as one SQL file, to stdout or to `output`.
int dump_command(runner_context& ctx, const std::string& output);
// For `check`, from one head state: the changes of the declared schema that
// no migration makes, one line each (none without a declared schema), and
// what is wrong with the committed dump, generated/schema.sql beside the
// migrations directory (what <name>_dump writes): "" when there is none or
// it matches.
struct schema_findings {
  std::vector<std::string> undeclared;
  std::string stale_dump;
};
// `server`: the scratch server when the caller has it already ("": found
// here, as scratch_server does).
schema_findings schema_findings_of(runner_context& ctx, const std::string& server = "");
// `dump --check FILE`: 0 when FILE is the head state's dump, 3 (saying how
// to write it again) when not; add_migrations' GRAPH_TEST runs it.
int dump_check_command(runner_context& ctx, const std::string& file);

// `test [KIND...]` (test_command.cpp): single_head, upgrade, stairway, data,
// schema_matches, dump_current; none: every one that applies. Exit 0 when all
// passed, 3 when one failed, 77 when one was skipped and none failed.
struct test_options {
  std::vector<std::string> kinds;
  std::string from, to;   // the range of upgrade, stairway and data
  std::string data_dir;   // --data: <revision>.seed.sql and <revision>.check.sql
  std::string reproduce;  // the command line, told to whoever reads a failure
};
int test_command(runner_context& ctx, const test_options& options);

// `lint [FILE...]` (lint_command.cpp): the runner's SQL migrations (or the
// files named) through src/core/lint; --format text|json|github|sarif. Exit
// 3 on a finding of error level (PostgreSQL refuses it), or of any level
// with `strict`; 0 always with `warn_only` (a build's LINT WARN).
struct lint_options {
  std::vector<std::string> files;
  bool list_rules = false;
  bool strict = false;
  bool warn_only = false;
  bool absolute_paths = false;  // the build's lint: paths an IDE opens from any directory
  // --database: tables created by revisions the database has not applied
  // yet are still empty, and exempt from the lock rules.
  bool database = false;
};
int lint_command(runner_context& ctx, const lint_options& options);

int dev_db_command(runner_context& ctx, const std::string& action);
// `config`: the effective configuration and where each value came from.
int config_command(runner_context& ctx);
// MigrationTools' version, e.g. "0.1.0".
const char* version();
// `cmake --build <build dir> [--config <config>] --target <target>`, quoted
// for a shell: the command a hint tells users to paste.
std::string build_command(const runner_config& config, const std::string& target);

}  // namespace migration_tools::cli
