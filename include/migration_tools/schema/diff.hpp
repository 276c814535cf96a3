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

  bool empty() const { return statements.empty() && warnings.empty(); }
};

// What turns `from` into `to`.
schema_diff diff_schemas(const schema_model& from, const schema_model& to);

// The statements as a migration section: each hazard and hint as a `--`
// comment above its statement, each warning as a `-- warning:` line.
std::string render_sql(const schema_diff& diff);

}  // namespace migration_tools::schema
