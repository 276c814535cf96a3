#include "migration_tools/autogenerate/project_states.hpp"

#include <future>

#include "migration_tools/core/checksum.hpp"
#include "migration_tools/core/declared_sql_check.hpp"
#include "migration_tools/core/diagnostic.hpp"
#include "migration_tools/postgres/bookkeeping_sql.hpp"
#include "migration_tools/postgres/scratch_database.hpp"

namespace migration_tools::autogenerate {

namespace {

inspection_options bookkeeping_ignored(const project_description& p) {
  bookkeeping_names names{p.bookkeeping_schema, p.version_table};
  return {{{p.bookkeeping_schema, names.version_table},
           {p.bookkeeping_schema, names.history_table()},
           {p.bookkeeping_schema, names.progress_table()}},
          p.bookkeeping_schema};
}

// The declared state's cache key: every file's path and text, and the
// bookkeeping names; "" (not kept) when the cache is off or a file acts on
// what the whole server shares, which a kept state would leave behind.
std::string declared_cache_key(const project_description& p) {
  if (p.cache_key.empty()) return "";
  std::string all = p.bookkeeping_schema + '\n' + p.version_table + '\n';
  for (const auto& f : p.declared) {
    if (declared_sql_touches_cluster(f.text)) return "";
    all += migration_checksum(f.path) + migration_checksum(std::string(f.text)) + '\n';
  }
  return migration_checksum(all).substr(0, 20);
}

}  // namespace

std::string head_cache_key(const std::string& bookkeeping_schema, const std::string& version_table,
                           const std::vector<std::string>& checksums) {
  std::string all = bookkeeping_schema + '\n' + version_table + '\n';
  for (const auto& c : checksums) all += c + '\n';
  return migration_checksum(all).substr(0, 20);
}

project_states::project_states(project_description project) : project_(std::move(project)) {}

// Made when a command first needs the declared state: its key reads every
// schema file, which dump and a diff of two databases need not.
state_cache& project_states::declared_cache() {
  if (!declared_cache_)
    declared_cache_.emplace(project_.server_url, "declared", project_.cache_scope,
                            declared_cache_key(project_), project_.note);
  return *declared_cache_;
}

const std::vector<declared_file>& project_states::declared_files() const {
  if (!project_.has_declared_schema)
    throw usage_error(
        "this runner has no declared schema: give add_migrations() a SCHEMA_DIRECTORY, or "
        "create a schema/ folder beside the CMakeLists.txt and configure again");
  return project_.declared;
}

head_state project_states::head() {
  return head({});
}

// `before_applying` runs once the scratch database exists, before the history
// is replayed into it (not at all when the head state is cached).
head_state project_states::head(const std::function<void()>& before_applying) {
  head_state_source source;
  source.server_url = project_.server_url;
  source.ignore = bookkeeping_ignored(project_);
  source.cache_scope = project_.cache_scope;
  source.cache_key = project_.cache_key;
  source.note = project_.note;
  source.apply_migrations = [&](const std::string& url) {
    if (before_applying) before_applying();
    project_.apply_migrations(url);
  };
  return load_head_state(source);
}

schema::schema_model project_states::declared() {
  const auto& files = declared_files();
  if (auto cached = declared_cache().read(bookkeeping_ignored(project_))) return std::move(*cached);
  scratch_database scratch(project_.server_url);
  auto model = load_declared_schema(scratch.url(), files, bookkeeping_ignored(project_),
                                    declared_cache().enabled());
  declared_cache().keep(scratch);
  return model;
}

head_and_declared project_states::both() {
  const auto& files = declared_files();
  head_and_declared out;
  // A kept declared state leaves only the history to replay.
  if (auto cached = declared_cache().read(bookkeeping_ignored(project_))) {
    auto state = head();
    return {std::move(state.model), std::move(*cached), state.from_cache};
  }
  // Every scratch database (and its watcher process) is made before the
  // thread starts: no fork while another thread runs.
  scratch_database declared_db(project_.server_url);
  std::future<schema::schema_model> declared;
  bool keep = declared_cache().enabled();
  auto start_declared = [&] {
    if (!declared.valid())
      declared = std::async(std::launch::async, [&] {
        return load_declared_schema(declared_db.url(), files, bookkeeping_ignored(project_), keep);
      });
  };
  try {
    auto state = head(start_declared);
    out.head = std::move(state.model);
    out.head_from_cache = state.from_cache;
  } catch (...) {
    if (declared.valid()) declared.wait();
    throw;
  }
  start_declared();
  out.declared = declared.get();
  declared_cache().keep(declared_db);
  return out;
}

schema::schema_model project_states::database(const std::string& url) const {
  return load_database(url, bookkeeping_ignored(project_));
}

}  // namespace migration_tools::autogenerate
