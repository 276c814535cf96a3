// The failed (or interrupted) state of a `transactional false` migration,
// as recorded in the progress table: how upgrade, downgrade and check report
// it, and where `--resume` continues.
#pragma once

#include <string>
#include <vector>

#include "runner_context.hpp"

namespace migration_tools::engine {

struct failed_migration {
  std::string revision;
  std::string direction;           // upgrade or downgrade
  std::vector<progress_row> rows;  // by statement index
};

// Grouped by revision and direction; empty when nothing failed.
std::vector<failed_migration> read_failed_migrations(runner_context& ctx);

// `file:line: error: ...` at the failed statement, then which statements
// already ran (their lines) and what to do.
std::string describe_failed_migration(runner_context& ctx, const failed_migration& f);

// The 1-based statement at which `--resume` continues, after checking that
// the statements that already ran are unchanged in the embedded file
// (database_error naming the first one that changed).
int resume_point(runner_context& ctx, const failed_migration& f);

// Before upgrade or downgrade runs `p`, with the lock held: refuses
// (database_error, the description above) while a migration is failed or
// interrupted, unless `resume`. With `resume` it checks that the failed
// migration goes the plan's way and is part of it, moves it to the front,
// and says where it continues. Without a failed migration `resume` does
// nothing.
struct resume_plan {
  node_id revision = -1;
  int first_statement = 1;
  int first_statement_of(node_id id) const { return id == revision ? first_statement : 1; }
};
resume_plan check_failed_state(runner_context& ctx, plan& p, bool resume);

}  // namespace migration_tools::engine
