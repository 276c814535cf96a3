// new --autogenerate, diff, dump and check's schema part: the command-line
// face of src/autogenerate/ (materialise, inspect, diff), which prints
// nothing itself.
#include <fmt/format.h>

#include <cstdlib>
#include <functional>
#include <future>
#include <iostream>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "migration_tools/autogenerate/schema_states.hpp"
#include "migration_tools/core/checksum.hpp"
#include "migration_tools/core/file_io.hpp"
#include "migration_tools/core/text.hpp"
#include "migration_tools/postgres/connection_string.hpp"
#include "migration_tools/postgres/dev_database.hpp"
#include "migration_tools/postgres/errors.hpp"
#include "migration_tools/postgres/scratch_database.hpp"
#include "migration_tools/schema/diff.hpp"

namespace migration_tools::cli {

namespace {

using schema::schema_model;

// Where both sides are materialised: --dev-url, MIGRATE_DEV_URL, else the
// embedded development cluster. Checked by connecting once, so that an
// unreachable server is reported with where its URL came from.
std::string scratch_server(runner_context& ctx) {
  std::string url = ctx.options().dev_url, source = "--dev-url";
  if (url.empty()) {
    const char* env = std::getenv("MIGRATE_DEV_URL");
    if (env && *env) url = env, source = "MIGRATE_DEV_URL";
  }
  if (url.empty()) {
    dev_database dev(dev_db_directory(ctx.config()), ctx.config().name);
    url = dev.ensure_running();
    source = "the development database in " + dev.directory();
  }
  try {
    pqxx::connection probe(url);
  } catch (const pqxx::broken_connection& e) {
    throw database_error("cannot connect to the scratch server " + describe_connection(url) +
                         " (from " + source +
                         "): " + connection_failure_message(url, postgres_message(e.what())));
  }
  return url;
}

inspection_options bookkeeping_ignored(const runner_config& config) {
  bookkeeping_names names{config.schema, config.version_table};
  return {{{config.schema, names.version_table},
           {config.schema, names.history_table()},
           {config.schema, names.progress_table()}},
          config.schema};
}

// The head state's cache key: every migration's checksum and the bookkeeping names.
std::string head_cache_key(const runner_context& ctx) {
  std::string all = std::string(ctx.config().schema) + '\n' + ctx.config().version_table + '\n';
  for (node_id id = 0; id < static_cast<node_id>(ctx.graph().size()); ++id)
    all += ctx.checksum(id) + '\n';
  return migration_checksum(all).substr(0, 20);
}

// `before_applying` runs once the scratch database exists, before the
// history is replayed into it (not at all when the head state is cached).
schema_model head_state(runner_context& ctx, const std::string& server,
                        const std::function<void()>& before_applying = {}) {
  autogenerate::head_state_source source;
  source.server_url = server;
  source.ignore = bookkeeping_ignored(ctx.config());
  source.cache_scope =
      migration_checksum(std::string(ctx.config().name) + '\n' + ctx.config().migrations_dir)
          .substr(0, 8);
  if (!ctx.options().no_cache) source.cache_key = head_cache_key(ctx);
  source.apply_migrations = [&ctx, &before_applying](const std::string& url) {
    if (before_applying) before_applying();
    global_options quiet = ctx.options();
    quiet.url = url;
    quiet.quiet = true;
    quiet.command = "autogenerate";
    runner_context inner(ctx.config(), ctx.catalog(), quiet);
    if (!inner.graph().empty()) upgrade_command(inner, "heads");
  };
  auto state = autogenerate::load_head_state(source);
  if (!state.from_cache) ctx.info("applied the migrations to a scratch database");
  return std::move(state.model);
}

std::vector<autogenerate::declared_file> declared_files(const runner_context& ctx) {
  const auto& catalog = ctx.catalog();
  if (!*ctx.config().schema_dir)
    throw usage_error(
        "this runner has no declared schema: give add_migrations() a SCHEMA_DIRECTORY, or "
        "create a schema/ folder beside the CMakeLists.txt and configure again");
  std::vector<autogenerate::declared_file> files;
  for (size_t i = 0; i < catalog.schema_count; ++i)
    files.push_back({catalog.schema_files[i].path, catalog.schema_files[i].text()});
  return files;
}

schema_model declared_schema(runner_context& ctx, const std::string& server) {
  auto files = declared_files(ctx);
  scratch_database scratch(server);
  return autogenerate::load_declared_schema(scratch.url(), files);
}

struct head_and_declared {
  schema_model head;
  schema_model declared;
};

// Both states, the declared schema loading on a thread of its own while the
// history is replayed: the server works on both at once. Every scratch
// database (and its watcher process) is made before that thread starts.
head_and_declared both_states(runner_context& ctx, const std::string& server) {
  auto files = declared_files(ctx);
  scratch_database declared_db(server);
  std::future<schema_model> declared;
  auto start_declared = [&] {
    if (!declared.valid())
      declared = std::async(std::launch::async, [&] {
        return autogenerate::load_declared_schema(declared_db.url(), files);
      });
  };
  head_and_declared out;
  try {
    out.head = head_state(ctx, server, start_declared);
  } catch (...) {
    if (declared.valid()) declared.wait();
    throw;
  }
  start_declared();
  out.declared = declared.get();
  return out;
}

schema_model state(runner_context& ctx, const std::string& which, const std::string& server) {
  if (which == "migrations") return head_state(ctx, server);
  if (which == "schema") return declared_schema(ctx, server);
  if (which == "database") {
    // Read only: drift made by hand shows here, and nothing is written.
    return autogenerate::load_database(ctx.database_url(), bookkeeping_ignored(ctx.config()));
  }
  // Any other database, read only, e.g. to compare two live ones.
  if (which.rfind("postgres://", 0) == 0 || which.rfind("postgresql://", 0) == 0)
    return autogenerate::load_database(which, bookkeeping_ignored(ctx.config()));
  throw usage_error("unknown state '" + which +
                    "': expected migrations, schema, database or a postgresql:// URL");
}

// A state as messages show it: URLs without their password.
std::string describe_state(const std::string& which) {
  return which.find("://") == std::string::npos ? which : describe_connection(which);
}

void print_review(const runner_context& ctx, const schema::schema_diff& d) {
  for (const auto& line : d.detected) ctx.info("detected " + escape_control_characters(line));
  for (const auto& w : d.warnings)
    std::cerr << ctx.config().name << ": warning: " << escape_control_characters(w) << "\n";
  for (const auto& s : d.statements)
    for (const auto& h : s.hazards)
      ctx.info("hazard: " + escape_control_characters(h) + "\n  " +
               escape_control_characters(s.sql.substr(0, s.sql.find('\n'))));
}

}  // namespace

int autogenerate_command(runner_context& ctx, new_options options) {
  if (options.cpp) throw usage_error("--autogenerate writes SQL migrations: drop --cpp");
  std::string server = scratch_server(ctx);
  auto [head, declared] = both_states(ctx, server);
  auto up = schema::diff_schemas(head, declared);
  if (up.empty()) {
    ctx.info(
        "no changes detected: the migrations already make the declared schema; nothing "
        "written");
    return ok;
  }
  auto down = schema::diff_schemas(declared, head);
  print_review(ctx, up);
  options.upgrade_sql = schema::render_sql(up);
  options.downgrade_sql = schema::render_sql(down);
  return new_command(ctx, options);
}

int diff_command(runner_context& ctx, std::string from, std::string to) {
  // Only the states that need one start the scratch server.
  bool needs_server =
      from == "migrations" || from == "schema" || to == "migrations" || to == "schema";
  std::string server = needs_server ? scratch_server(ctx) : "";
  schema_model before, after;
  if (from == "migrations" && to == "schema") {
    auto states = both_states(ctx, server);
    before = std::move(states.head);
    after = std::move(states.declared);
  } else if (from == "schema" && to == "migrations") {
    auto states = both_states(ctx, server);
    before = std::move(states.declared);
    after = std::move(states.head);
  } else {
    before = state(ctx, from, server);
    after = state(ctx, to, server);
  }
  auto d = schema::diff_schemas(before, after);
  from = describe_state(from);
  to = describe_state(to);
  if (ctx.options().format == "json") {
    nlohmann::json out;
    out["from"] = from;
    out["to"] = to;
    out["changes"] = d.detected;
    out["warnings"] = d.warnings;
    auto& statements = out["statements"] = nlohmann::json::array();
    for (const auto& s : d.statements)
      statements.push_back({{"sql", s.sql}, {"hazards", s.hazards}, {"hint", s.hint}});
    std::cout << out.dump(2) << "\n";
  } else {
    print_review(ctx, d);
    std::cout << schema::render_sql(d);
  }
  if (d.empty()) ctx.info("no differences between " + from + " and " + to);
  return ok;
}

int dump_command(runner_context& ctx, const std::string& output) {
  std::string server = scratch_server(ctx);
  auto head = head_state(ctx, server);
  // The public schema exists in every new database: a dump does not create it.
  schema_model empty;
  for (const auto& n : head.namespaces)
    if (n.name == "public") empty.namespaces.push_back(n);
  auto d = schema::diff_schemas(empty, head);
  std::string text = std::string("-- The schema the migrations of ") + ctx.config().name +
                     " make, written by '" + ctx.config().name + " dump'.\n";
  for (const auto& w : d.warnings) text += "-- warning: " + escape_control_characters(w) + "\n";
  for (const auto& s : d.statements) text += s.sql + "\n";
  if (output.empty()) {
    std::cout << text;
  } else {
    std::string parent = output.substr(0, output.find_last_of('/'));
    if (!parent.empty() && parent != output) make_directories(parent);
    write_file(output, text);
    ctx.info("wrote " + output);
  }
  return ok;
}

std::vector<std::string> undeclared_changes(runner_context& ctx) {
  if (!*ctx.config().schema_dir || ctx.catalog().schema_count == 0) return {};
  std::string server = scratch_server(ctx);
  auto states = both_states(ctx, server);
  auto d = schema::diff_schemas(states.head, states.declared);
  std::vector<std::string> out = d.detected;
  for (const auto& w : d.warnings) out.push_back("warning: " + w);
  return out;
}

}  // namespace migration_tools::cli
