// One autogenerate case: a schema before and after a change, run through the
// oracle every case shares (schema_case.cpp) on the test cluster:
//  - convergence: the generated upgrade, applied to `before`, leaves nothing
//    to diff against `after`, and pg_dump --schema-only of both agree;
//  - reversibility: the generated downgrade brings `before` back exactly;
//  - no-op: `after_rewritten` (the same schema written differently) diffs
//    empty against `after`.
// Cases live in one file per object kind (*_cases.cpp).
#pragma once

#include <string>
#include <vector>

#include "migration_tools/schema/diff.hpp"

namespace migration_tools::test {

struct schema_case {
  std::string before;
  std::string after;
  std::string after_rewritten;                // "" to skip the no-op check
  std::vector<std::string> detected;          // lines the upgrade must report
  std::vector<std::string> upgrade_contains;  // text the upgrade SQL must hold
  std::vector<std::string> hazards;           // substrings of the upgrade's hazards
  bool same_dump = true;  // false when columns end up in another order (ADD COLUMN appends)
};

// The diff from `before` to `after`, each loaded into a fresh database.
schema::schema_diff diff_sql(const std::string& name, const std::string& before,
                             const std::string& after);

// Runs `sql` in a transaction of its own on `url` and commits it; the first
// value of its last result, "" when there is none (to run a diff's SQL over
// rows and read them back).
std::string run_committed(const std::string& url, const std::string& sql);

// Runs the oracle with Catch2 assertions; `name` names the databases it uses.
void check_schema_case(const std::string& name, const schema_case& c);

}  // namespace migration_tools::test
