// A project's schema states for autogenerate, diff, dump and check: the head
// state of its migrations and its declared schema, materialised on the
// scratch server (schema_states.hpp), each kept there between runs while
// what made it is unchanged. The
// command line says where the server is and how the history is applied;
// this returns models and prints nothing.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "migration_tools/autogenerate/schema_states.hpp"

namespace migration_tools::autogenerate {

struct project_description {
  std::string server_url;  // the scratch server
  bool has_declared_schema = false;
  std::vector<declared_file> declared;  // the schema files, in order
  // Applies every migration to the empty database at the URL given.
  std::function<void(const std::string& url)> apply_migrations;
  // The bookkeeping tables (and their schema), left out of every state.
  std::string bookkeeping_schema;
  std::string version_table;
  // Names the cache (see head_state_source); "" when the history must be
  // replayed every time.
  std::string cache_scope;
  std::string cache_key;
  // Told what the user should know (an untrusted cache ignored).
  std::function<void(const std::string&)> note;
};

// The cache key of a head state: every migration's checksum, in order, and
// the bookkeeping names.
std::string head_cache_key(const std::string& bookkeeping_schema, const std::string& version_table,
                           const std::vector<std::string>& checksums);

struct head_and_declared {
  schema::schema_model head;
  schema::schema_model declared;
  bool head_from_cache = false;
};

class project_states {
 public:
  explicit project_states(project_description project);

  head_state head();
  schema::schema_model declared();
  // Both, the declared schema loading on a thread of its own while the
  // history replays: the server works on both at once.
  head_and_declared both();
  // Any database, read only.
  schema::schema_model database(const std::string& url) const;

 private:
  const std::vector<declared_file>& declared_files() const;
  head_state head(const std::function<void()>& before_applying);

  project_description project_;
  state_cache& declared_cache();
  // The declared schema, kept as the head state is; made on first use.
  std::optional<state_cache> declared_cache_;
};

}  // namespace migration_tools::autogenerate
