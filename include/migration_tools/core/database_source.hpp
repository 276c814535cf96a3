// Which database a command migrates, from the settings users already have:
// the command line, DATABASE_URL, POSTGRES_URL, the POSTGRES_* and libpq's PG*
// variables, the same names in a .env file, and add_migrations(DATABASE_URL).
// Knows nothing of PostgreSQL beyond the spelling of its URLs.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "migration_tools/core/dotenv.hpp"

namespace migration_tools {

struct database_source {
  std::string url;                 // a URL or keyword connection string, as libpq reads them
  std::string origin;              // where it came from, e.g. "POSTGRES_URL in .env"
  std::vector<std::string> notes;  // what was changed on the way (a dropped driver)
};

struct database_source_inputs {
  std::string url_option;                   // --url
  std::string url_option_origin = "--url";  // what messages call it (the migrator: its URL)
  environment_lookup environment;
  const dotenv_file* dotenv = nullptr;  // the .env file, when there is one
  std::string configured_url;           // add_migrations(DATABASE_URL)
};

// The first source that names a database, in this order: --url;
// DATABASE_URL; POSTGRES_URL; the POSTGRES_* variables (POSTGRES_HOST,
// POSTGRES_DB or POSTGRES_USER, with POSTGRES_PORT and POSTGRES_PASSWORD); the
// PG* variables (PGHOST, PGHOSTADDR, PGDATABASE or PGSERVICE, with PGPORT,
// PGUSER, PGPASSWORD, PGSSLMODE, PGOPTIONS); the same names in the .env file
// (which never overrides the environment); add_migrations(DATABASE_URL).
// Nothing (the development database's turn) when none does. Throws
// usage_error for a URL that cannot be right (an unencoded '@').
std::optional<database_source> find_database_source(const database_source_inputs& in);

// The names find_database_source looks at, for a message saying none is set.
std::string database_source_names();

// A URL as libpq takes it: `postgresql+psycopg2://` and `postgres+asyncpg://`
// (SQLAlchemy's driver suffix) lose their `+driver`, with a note. A second
// '@' in the user information (an unencoded '@' in the password) is a
// usage_error that shows no part of the password and says how to encode it.
std::string normalise_database_url(const std::string& url, std::vector<std::string>& notes);

// A yes/no environment variable: unset, "", "0", "false", "no" and "off"
// (any case) are no.
bool environment_flag(const std::string& value);

}  // namespace migration_tools
