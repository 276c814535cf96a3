// Checks of a migration's SQL that keep the online run and the offline
// script (`--sql`, run by psql) doing the same thing, and keep the runner's
// own transaction intact. Run at configure time by the scanner, so that a
// file that would break either is refused at `file:line` before it is built.
#pragma once

#include <string_view>
#include <vector>

#include "migration_tools/core/diagnostic.hpp"
#include "migration_tools/core/migration.hpp"

namespace migration_tools {

// `file_text` is the whole file as read (carriage returns in), `m` its parse.
// Reports:
// - a carriage return not followed by a line feed anywhere in the file (psql
//   ends a `--` comment there, the runner's splitter did not);
// - in SQL sections, a backslash outside strings and comments (a psql
//   meta-command such as `\!` offline, a syntax error online), and a comment,
//   quoted string or dollar quote left open at the end of a section;
// - COPY ... FROM STDIN (psql would read the script's next lines as data;
//   the runner has no data to send);
// - transaction control (COMMIT, ROLLBACK, BEGIN, PREPARE TRANSACTION, ...)
//   in a transactional migration, which would end the runner's transaction.
// Statements are classified by PostgreSQL's own parser (libpg_query).
void check_migration_sql(const migration& m, std::string_view file_text,
                         std::vector<diagnostic>& diagnostics);

}  // namespace migration_tools
