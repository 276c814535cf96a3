// The schema states autogenerate compares, each materialised on the scratch
// server and read back through the catalog inspector: the head state (every
// migration applied to an empty database), the declared schema (the files of
// schema/), and a live database. Returns models; prints nothing.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "migration_tools/postgres/catalog_inspector.hpp"
#include "migration_tools/postgres/scratch_database.hpp"
#include "migration_tools/schema/model.hpp"

namespace migration_tools::autogenerate {

struct declared_file {
  std::string path;  // as shown in messages
  std::string_view text;
};

// Loads the files, in order, into `database_url` (an empty database) inside
// one transaction, inspects them there and rolls back (commits when
// `commit`, for a state that is kept: see declared_sql_touches_cluster). A statement that fails
// is a migration_file_error at its file and line, with PostgreSQL's message
// and SQLSTATE.
// `ignore`: as for the head state, so that both sides treat the bookkeeping
// schema alike.
schema::schema_model load_declared_schema(const std::string& database_url,
                                          const std::vector<declared_file>& files,
                                          const inspection_options& ignore = {},
                                          bool commit = false);

// A state kept on the scratch server between runs, as the database
// mt_<kind>_<scope>_<key>: read while its key (a digest of what made it) is
// unchanged; other keys of the same kind and scope are dropped when a new one
// is kept. An empty key disables it. A database under that name is read only
// when the current role owns it and it carries the marker the runner wrote
// with the same key; only such databases are ever dropped.
class state_cache {
 public:
  // `note` is told once when a database under the cache's name is not trusted.
  state_cache(std::string server_url, std::string kind, std::string scope, std::string key,
              std::function<void(const std::string&)> note);

  // Whether states are kept at all (a key was given).
  bool enabled() const { return !key_.empty(); }
  // The kept state, when there is one to trust.
  std::optional<schema::schema_model> read(const inspection_options& ignore);
  // Keeps `scratch` (every connection to it closed) as the state, unless the
  // cache is off or its name is held by a database that is not trusted.
  void keep(scratch_database& scratch);

 private:
  std::string name() const;
  std::string distrust(pqxx::connection& admin) const;
  void drop_older(pqxx::connection& admin) const;

  std::string server_url_, kind_, scope_, key_;
  std::function<void(const std::string&)> note_;
  bool name_taken_ = false;
};

struct head_state_source {
  std::string server_url;  // the scratch server
  // Applies every migration to the empty database at the URL given.
  std::function<void(const std::string& url)> apply_migrations;
  inspection_options ignore;  // the bookkeeping tables
  // The head state is kept (state_cache, kind "head") while the migrations
  // are unchanged; an empty key disables that.
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
