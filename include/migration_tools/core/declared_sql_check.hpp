// Checks of a declared schema file (schema/*.sql) before anything of it runs.
// The files are loaded on a scratch server inside one transaction that is
// rolled back: a statement that ends or replaces that transaction would let
// what follows it commit on the server, and a COPY to or from a program or a
// server file acts on the server's machine, which no rollback undoes.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "migration_tools/core/diagnostic.hpp"

namespace migration_tools {

// Reports, at `path:line`, each statement of `text` that is:
// - transaction control of any kind (BEGIN, START TRANSACTION, COMMIT, END,
//   ROLLBACK, ABORT, SAVEPOINT, RELEASE, ROLLBACK TO, PREPARE TRANSACTION,
//   COMMIT/ROLLBACK PREPARED);
// - COPY to or from a program or a file on the server;
// - a NUL byte, or a comment or quote never closed;
// - a psql meta-command (a backslash outside strings and comments), but for
//   the `\restrict KEY` and `\unrestrict KEY` lines pg_dump writes since
//   PostgreSQL 15.14, which the load skips (declared_sql_text).
// Statements are classified by PostgreSQL's own parser (libpg_query).
void check_declared_sql(const std::string& path, std::string_view text,
                        std::vector<diagnostic>& diagnostics);

// Whether a statement of `text` acts on what the whole server shares
// (roles, role membership, databases, tablespaces, parameters' privileges):
// such a schema is loaded only in a transaction that is rolled back, never
// kept on the scratch server as a cached state (it would outlive the run).
bool declared_sql_touches_cluster(std::string_view text);

// The text a declared file is loaded as: pg_dump's \restrict and
// \unrestrict lines blanked (the line numbers stay), the rest as it is.
std::string declared_sql_text(std::string_view text);

}  // namespace migration_tools
