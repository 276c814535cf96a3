// The diff of two schema models: the DDL that turns one into the other, in
// an order PostgreSQL accepts, with what a reviewer must know about each
// statement. Pure logic: no database.
#pragma once

#include <string>
#include <vector>

#include "migration_tools/schema/model.hpp"

namespace migration_tools::schema {

struct ddl_statement {
  std::string sql;                   // one statement, ending in ';'
  std::vector<std::string> hazards;  // e.g. "deletes data: the column's values are lost"
  std::string hint;                  // e.g. a RENAME to use instead; "" without one
};

struct schema_diff {
  std::vector<ddl_statement> statements;  // in the order to run them
  // One line per change, as Alembic prints them: "added column 'public.items.note'".
  std::vector<std::string> detected;
  // Changes the diff cannot write (yet): each must be made by hand.
  std::vector<std::string> warnings;
  // Changes no migration can make as they stand (a partition key changed):
  // the statements leave that object as it was, and autogenerate writes no
  // migration while any is left; each says what to do instead.
  std::vector<std::string> refusals;

  bool empty() const { return statements.empty() && warnings.empty() && refusals.empty(); }
};

// What turns `from` into `to`.
schema_diff diff_schemas(const schema_model& from, const schema_model& to);

// How serious a hazard is, by what its text starts with: what happens to
// data, then whole-table reads and rewrites, then locks, then the rest.
enum class hazard_rank { data = 0, whole_table = 1, lock = 2, other = 3 };
hazard_rank rank_of(const std::string& hazard);

// The hazards of a diff, ranked for review, each once: what happens to data
// first (deletes data, fails if a value..., changes data), then what reads or
// rewrites whole tables, then one line per table locked ("locks public.t
// (ACCESS EXCLUSIVE) while it runs"), then the rest; `up_to` 2 leaves the
// rest out.
std::vector<std::string> ranked_hazards(const schema_diff& diff, int up_to = 3);

// The statements as a migration section: the ranked hazards first (data,
// whole tables, locks), as `-- hazard:` lines, then each statement with its
// hazards other than locks
// (summarised above, one line per table) and its hint as `--` comments above
// it; each warning as a `-- warning:` line, each refusal as `-- refused:`.
std::string render_sql(const schema_diff& diff);

}  // namespace migration_tools::schema
