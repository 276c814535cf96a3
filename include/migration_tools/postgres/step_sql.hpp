// What a migration step's session runs besides the migration, as SQL text:
// its timeouts and the progress rows of a `transactional false` step. No
// connection here: the offline script writes the same statements, and the
// runner that writes it links no libpq.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "migration_tools/core/migration.hpp"
#include "migration_tools/core/planner.hpp"
#include "migration_tools/core/sql_splitter.hpp"
#include "migration_tools/postgres/bookkeeping_sql.hpp"

namespace migration_tools {

// PostgreSQL's lock_timeout and statement_timeout for migrations, in
// milliseconds; unset: the server's setting. A migration's header keys win.
struct timeouts {
  std::optional<int> lock_timeout_ms;
  std::optional<int> statement_timeout_ms;
};
// `SET [LOCAL] lock_timeout = N` and `SET [LOCAL] statement_timeout = N` for
// `m`: each from its header key, else from `defaults`; none when neither.
std::vector<std::string> timeout_statements(const migration& m, const timeouts& defaults,
                                            bool local);

// The file line of a statement that starts on `statement_line` of a section.
inline int file_line(const sql_section& section, int statement_line) {
  return section.first_line + statement_line - 1;
}

// The progress row of statement `index` (0-based) of a `transactional false`
// section, as the runner and offline scripts record it.
bookkeeping_sql::progress_statement progress_of(const migration& m, direction dir,
                                                const sql_section& section,
                                                const sql_statement& statement, size_t index);

}  // namespace migration_tools
