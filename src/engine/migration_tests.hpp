// The migration tests that `<name> test` runs and add_migration_tests()
// registers with CTest, each on an empty scratch database it may change:
// upgrade (base to head, one migration at a time), stairway (each revision
// upgraded, downgraded and upgraded again, the catalog compared), and data
// (seed files and checks, on the way up and again on the way down). They
// return results and print nothing; the command line prints. Each makes
// and drops its own scratch database on the server at `server_url`.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "runner_context.hpp"

namespace migration_tools::engine {

enum class test_outcome { passed, failed, skipped };

struct test_result {
  std::string name;  // single_head, upgrade, stairway, data, schema_matches, dump_current
  test_outcome outcome = test_outcome::passed;
  // Revisions the test went through, of those in its range: a stairway that
  // stops at an irreversible migration covered the ones before it.
  int covered = 0;
  int total = 0;
  int steps = 0;  // migration steps run (upgrades and downgrades)
  // stairway: revisions whose states were compared as whole catalogs (no
  // event triggers, or what they told differed or was not enough).
  int whole_catalog_comparisons = 0;
  // What failed, each message starting with `file:line: error:` where it has
  // a place; or why the test was skipped.
  std::vector<std::string> problems;
  std::chrono::milliseconds duration{0};
};

// The revisions a test goes through: those above `from` ("" or base: from
// the start) up to `to` ("": every head).
struct test_range {
  std::string from;
  std::string to;
};

// Base (or `from`) to `to`, one migration at a time, as `upgrade` runs them.
test_result test_upgrade(runner_context& ctx, const std::string& server_url,
                         const test_range& range);

// For each revision in order: upgrade it, then downgrade it (inside a
// transaction that is rolled back, or for a `transactional false` one, for
// real and upgrade it again). After the downgrade the schema must be the one
// before the upgrade, as the schema model compares them. With a superuser,
// event triggers tell which objects each step touched and only those are
// compared (change_capture.hpp), the whole catalog only when they differ or
// a step touched what they cannot name: O(n) in the number of revisions.
test_result test_stairway(runner_context& ctx, const std::string& server_url,
                          const test_range& range);

// The files of a data folder, by revision: `<rev>.seed.sql` and
// `<rev>.check.sql`. A file named after no revision, or named otherwise, is
// a usage_error naming it.
struct data_files {
  std::string directory;
  std::vector<std::pair<std::string, std::string>> seeds;   // revision, path
  std::vector<std::pair<std::string, std::string>> checks;  // revision, path
};
data_files read_data_directory(const revision_graph& graph, const std::string& directory);

// Up the range: at each revision, its seed then its checks; then down again:
// after each downgrade, the checks of the revisions the database is back at.
// A check is a query that must return no rows (or a DO block that raises).
test_result test_data(runner_context& ctx, const std::string& server_url, const data_files& files,
                      const test_range& range);

}  // namespace migration_tools::engine
