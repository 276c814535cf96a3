// The schema states autogenerate compares, each materialised on the scratch
// server and read back through the catalog inspector: the head state (every
// migration applied to an empty database), the declared schema (the files of
// schema/), and a live database. Returns models; prints nothing.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "migration_tools/postgres/catalog_inspector.hpp"
#include "migration_tools/schema/model.hpp"

namespace migration_tools::autogenerate {

struct declared_file {
  std::string path;  // as shown in messages
  std::string_view text;
};

// Loads the files, in order, into `database_url` (an empty database) inside
// one transaction, inspects them there and rolls back. A statement that fails
// is a migration_file_error at its file and line, with PostgreSQL's message
// and SQLSTATE.
// `ignore`: as for the head state, so that both sides treat the bookkeeping
// schema alike.
schema::schema_model load_declared_schema(const std::string& database_url,
                                          const std::vector<declared_file>& files,
                                          const inspection_options& ignore = {});

struct head_state_source {
  std::string server_url;  // the scratch server
  // Applies every migration to the empty database at the URL given.
  std::function<void(const std::string& url)> apply_migrations;
  inspection_options ignore;  // the bookkeeping tables
  // The head state is kept on the scratch server as database
  // mt_head_<cache_scope>_<cache_key> and read from there while the
  // migrations are unchanged; other keys of the same scope are dropped.
  // An empty key disables the cache. A database under that name is read
  // only when the current role owns it and it carries the marker the runner
  // wrote with the same key; only such databases are ever dropped.
  std::string cache_scope;
  std::string cache_key;
  // Told once when a database under the cache's name is not trusted.
  std::function<void(const std::string&)> note;
};

struct head_state {
  schema::schema_model model;
  bool from_cache = false;
};

head_state load_head_state(const head_state_source& source);

// A live database, read-only.
schema::schema_model load_database(const std::string& url, const inspection_options& ignore);

}  // namespace migration_tools::autogenerate
