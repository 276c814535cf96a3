// The database a command migrates, read from the command line, the
// environment, a .env file and add_migrations(): shared by every command that
// connects and by `config`, which shows it without connecting.
#pragma once

#include <optional>
#include <string>

#include "migration_tools/core/database_source.hpp"
#include "migration_tools/runner.hpp"
#include "runner_context.hpp"

namespace migration_tools::engine {

struct database_settings {
  std::optional<database_source> source;  // none: the development database's turn
  std::string dotenv_path;                // the .env file read, or ""
  // Why the development database may not stand in ("CI is set", ...), or "".
  std::string dev_db_refusal;
};

// Reads --env-file (which must exist) or ./.env (when it exists). Throws
// usage_error for a malformed .env line or URL.
database_settings read_database_settings(const runner_config& config,
                                         const global_options& options);

// Why the development database may not be started for these options
// (--no-dev-db, MIGRATE_NO_DEV_DB, CI), or "" when it may.
std::string dev_db_refusal(const global_options& options);

// The error for no database at all when the development database may not
// stand in: the names looked at, and why.
std::string no_database_message(const database_settings& settings);

}  // namespace migration_tools::engine
