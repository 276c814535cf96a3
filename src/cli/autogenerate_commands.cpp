// new --autogenerate, diff, dump and check's schema part: the command-line
// face of src/autogenerate/ (materialise, inspect, diff), which prints
// nothing itself.
#include <fmt/format.h>

#include <cstdlib>
#include <future>
#include <iostream>
#include <nlohmann/json.hpp>

#include "../engine/database_settings.hpp"
#include "commands.hpp"
#include "migration_tools/autogenerate/project_states.hpp"
#include "migration_tools/core/checksum.hpp"
#include "migration_tools/core/file_io.hpp"
#include "migration_tools/core/text.hpp"
#include "migration_tools/postgres/connection_string.hpp"
#include "migration_tools/postgres/dev_database.hpp"
#include "migration_tools/postgres/errors.hpp"
#include "migration_tools/schema/diff.hpp"
#include "migration_tools/schema/online.hpp"

namespace migration_tools::cli {

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
    // As for the database a command migrates: CI and --no-dev-db start no
    // development cluster, here as its scratch server either.
    std::string refusal = engine::dev_db_refusal(ctx.options());
    dev_database dev(dev_db_directory(ctx.config()), ctx.config().name);
    // Under CI a cluster already running is used: it was started on purpose
    // (add_migration_tests' CTest fixture starts one); starting one unasked
    // is what CI refuses.
    if (refusal == "CI is set" && dev.running()) refusal.clear();
    if (!refusal.empty())
      throw usage_error(
          "no scratch server: give --dev-url or MIGRATE_DEV_URL (a PostgreSQL "
          "server where this command may create and drop databases); the "
          "development database is not started as one because " +
          refusal);
    // Starting (the first time, creating) a cluster takes seconds: said
    // before, with where and how to stop it, as upgrade says it.
    if (!dev.running())
      ctx.info("starting the development database's server as the scratch server (cluster in " +
               dev.directory() + "; the first start creates it, a few seconds)");
    url = dev.ensure_running();
    source = "the development database in " + dev.directory();
    ctx.info("scratch server: the development database's server (cluster in " + dev.directory() +
             "; stop it with '" + ctx.config().name + " dev-db stop')");
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

namespace {

using schema::schema_model;

// The project as autogenerate sees it: its declared files, how its history
// is applied (upgrade on a runner of the same migrations), and its cache.
autogenerate::project_states project(runner_context& ctx, const std::string& server) {
  autogenerate::project_description p;
  p.server_url = server;
  const auto& catalog = ctx.catalog();
  p.has_declared_schema = *ctx.config().schema_dir != '\0';
  for (size_t i = 0; i < catalog.schema_count; ++i)
    p.declared.push_back({catalog.schema_files[i].path, catalog.schema_files[i].text()});
  p.bookkeeping_schema = ctx.config().schema;
  p.version_table = ctx.config().version_table;
  p.cache_scope =
      migration_checksum(std::string(ctx.config().name) + '\n' + ctx.config().migrations_dir)
          .substr(0, 8);
  if (!ctx.options().no_cache) {
    std::vector<std::string> checksums;
    for (node_id id = 0; id < static_cast<node_id>(ctx.graph().size()); ++id)
      checksums.push_back(ctx.checksum(id));
    p.cache_key = autogenerate::head_cache_key(p.bookkeeping_schema, p.version_table, checksums);
  }
  p.note = [&ctx](const std::string& text) {
    std::cerr << ctx.config().name << ": warning: " << escape_control_characters(text) << "\n";
  };
  p.apply_migrations = [&ctx](const std::string& url) {
    global_options quiet = ctx.options();
    quiet.url = url;
    quiet.quiet = true;
    // The history's NOTICEs (drop cascades to ...) are not this command's
    // news; -v shows them.
    quiet.server_notices = ctx.options().verbose;
    quiet.command = "autogenerate";
    runner_context inner(ctx.config(), ctx.catalog(), quiet);
    if (!inner.graph().empty()) upgrade_command(inner, "heads");
    ctx.info("applied the migrations to a scratch database");
  };
  return autogenerate::project_states(std::move(p));
}

// A live database, read only; one that cannot be reached is named, with
// which side of the diff it is, not "lost the connection".
schema_model live_database(const autogenerate::project_states& states, const std::string& url,
                           const std::string& side) {
  try {
    return states.database(url);
  } catch (const pqxx::broken_connection& e) {
    throw database_error("cannot connect to " + side + ", " + describe_connection(url) + ": " +
                         connection_failure_message(url, postgres_message(e.what())));
  }
}

schema_model state(runner_context& ctx, const std::string& which,
                   autogenerate::project_states& states, const std::string& side) {
  if (which == "migrations") return states.head().model;
  if (which == "schema") return states.declared();
  // Read only: drift made by hand shows here, and nothing is written.
  if (which == "database") return live_database(states, ctx.database_url(), side);
  // Any other database, read only, e.g. to compare two live ones.
  if (which.rfind("postgres://", 0) == 0 || which.rfind("postgresql://", 0) == 0)
    return live_database(states, which, side);
  throw usage_error("unknown state '" + which +
                    "': expected migrations, schema, database or a postgresql:// URL");
}

// A state as messages show it: URLs without their password.
std::string describe_state(const std::string& which) {
  return which.find("://") == std::string::npos ? which : describe_connection(which);
}

// Whether a statement takes an ACCESS EXCLUSIVE lock on a table that
// exists already (its hazards say so): the migration then gets a
// lock_timeout, so that it gives up instead of queueing every query behind it.
bool locks_existing_table(const schema::schema_diff& d) {
  for (const auto& s : d.statements)
    for (const auto& h : s.hazards)
      if (schema::rank_of(h) == schema::hazard_rank::lock || starts_with(h, "may rewrite"))
        return true;
  return false;
}

// What the file shows, on the terminal: each change, the hazards ranked
// (data first, locks one line per table), the rename hints, and what the
// downgrade would do to data.
void print_review(const runner_context& ctx, const schema::schema_diff& d,
                  const schema::schema_diff* down = nullptr) {
  for (const auto& line : d.detected) ctx.info("detected " + escape_control_characters(line));
  for (const auto& r : d.refusals)
    std::cerr << ctx.config().name << ": error: " << escape_control_characters(r) << "\n";
  for (const auto& w : d.warnings)
    std::cerr << ctx.config().name << ": warning: " << escape_control_characters(w) << "\n";
  for (const auto& h : schema::ranked_hazards(d))
    ctx.info("hazard: " + escape_control_characters(h));
  for (const auto& s : d.statements)
    if (!s.hint.empty()) ctx.info("hint: " + escape_control_characters(s.hint));
  if (down)
    for (const auto& h : schema::ranked_hazards(*down))
      if (schema::rank_of(h) == schema::hazard_rank::data)
        ctx.info("downgrade hazard: " + escape_control_characters(h));
}

}  // namespace

int autogenerate_command(runner_context& ctx, new_options options) {
  if (options.cpp) throw usage_error("--autogenerate writes SQL migrations: drop --cpp");
  std::string server = scratch_server(ctx);
  auto [head, declared, cached] = project(ctx, server).both();
  auto up = schema::diff_schemas(head, declared);
  if (up.empty()) {
    ctx.info(
        "no changes detected: the migrations already make the declared schema; nothing "
        "written");
    return ok;
  }
  auto down = schema::diff_schemas(declared, head);
  print_review(ctx, up, &down);
  // A migration that left out what it cannot do would still be applied and
  // taken for the whole change: none is written.
  if (!up.refusals.empty() || !down.refusals.empty()) {
    std::cerr << ctx.config().name
              << ": error: nothing written: the declared schema has a change no migration "
                 "can make as it stands (above)\n";
    return bad_input;
  }
  // The migrations written, each the parent of the next.
  std::string parent;
  std::vector<std::string> written;
  auto write = [&](new_options o, const std::string& suffix) {
    o.rev_id = written.empty() ? new_revision_id(ctx, options.rev_id) : new_revision_id(ctx, "");
    if (!written.empty()) {
      o.parent_revision = parent;
      o.branch_label.clear();
      o.depends_on.clear();
    }
    if (!suffix.empty()) o.message = options.message + " (" + suffix + ")";
    int rc = new_command(ctx, o);
    parent = o.rev_id;
    written.push_back(suffix.empty() ? "the change" : suffix);
    return rc;
  };
  // Enum values added to an existing enum: a migration of their own first,
  // since PostgreSQL lets none use a new value before it commits.
  schema_model base = head;
  if (auto added = schema::split_enum_additions(head, declared)) {
    new_options values = options;
    values.upgrade_sql = schema::render_sql(schema::diff_schemas(head, *added));
    values.downgrade_sql = schema::render_sql(schema::diff_schemas(*added, head));
    if (int rc = write(values, "enum values"); rc != ok) return rc;
    base = std::move(*added);
  }
  // For a busy database: what would hold a long lock on an existing table
  // goes to a later migration that runs statement by statement.
  auto split =
      schema::split_for_online(base, declared, {options.concurrent_indexes, options.not_valid});
  const schema_model& middle = split.second_needed ? split.intermediate : declared;
  new_options change = options;
  auto change_up = schema::diff_schemas(base, middle);
  change.upgrade_sql = schema::render_sql(change_up);
  change.downgrade_sql = schema::render_sql(schema::diff_schemas(middle, base));
  if (options.lock_timeout != "none" && locks_existing_table(change_up))
    change.header_lines.push_back("lock_timeout " + options.lock_timeout);
  if (!change_up.empty())
    if (int rc = write(change, ""); rc != ok) return rc;
  if (split.second_needed) {
    new_options online = options;
    online.header_lines = {"transactional false"};
    online.upgrade_sql = schema::render_sql(schema::online_upgrade(split.intermediate, declared));
    online.downgrade_sql =
        schema::render_sql(schema::online_downgrade(declared, split.intermediate));
    if (int rc = write(online, "online"); rc != ok) return rc;
  }
  if (written.size() > 1) {
    std::string list;
    for (const auto& w : written) list += (list.empty() ? "" : ", then ") + w;
    ctx.info("wrote the change as " + std::to_string(written.size()) + " migrations: " + list +
             " (new enum values commit before their use; indexes on existing tables are built "
             "CONCURRENTLY and new constraints validated outside a transaction; "
             "--no-concurrent-indexes and --no-not-valid keep those in the change)");
  }
  return ok;
}

int diff_command(runner_context& ctx, std::string from, std::string to) {
  for (const auto& which : {from, to})
    if (which != "migrations" && which != "schema" && which != "database" &&
        which.rfind("postgres://", 0) != 0 && which.rfind("postgresql://", 0) != 0)
      throw usage_error("unknown state '" + which +
                        "': expected migrations, schema, database or a postgresql:// URL");
  // Only the states that need one start the scratch server.
  bool needs_server =
      from == "migrations" || from == "schema" || to == "migrations" || to == "schema";
  std::string server = needs_server ? scratch_server(ctx) : "";
  auto states = project(ctx, server);
  schema_model before, after;
  if (from == "migrations" && to == "schema") {
    auto both = states.both();
    before = std::move(both.head);
    after = std::move(both.declared);
  } else if (from == "schema" && to == "migrations") {
    auto both = states.both();
    before = std::move(both.declared);
    after = std::move(both.head);
  } else if (!needs_server) {
    // Two databases: each inspected on a connection and a thread of its own
    // (no scratch database, so no watcher is forked meanwhile).
    std::string from_url = from == "database" ? ctx.database_url() : from;
    std::string to_url = to == "database" ? ctx.database_url() : to;
    auto first = std::async(std::launch::async,
                            [&] { return live_database(states, from_url, "the FROM database"); });
    after = live_database(states, to_url, "the TO database");
    before = first.get();
  } else {
    before = state(ctx, from, states, "the FROM database");
    after = state(ctx, to, states, "the TO database");
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
    out["refusals"] = d.refusals;
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

namespace {

// The head state as one ordered SQL file: what `dump` prints and
// <name>_dump writes.
std::string head_state_dump(const runner_context& ctx, const schema_model& head) {
  // The public schema exists in every new database: a dump does not create it.
  // So does its default privilege since PostgreSQL 15, USAGE for PUBLIC.
  schema_model empty;
  for (const auto& n : head.namespaces)
    if (n.name == "public") empty.namespaces.push_back(n);
  for (const auto& p : head.privileges)
    if (p.object_kind == "SCHEMA" && p.object == "public" && p.grantee == "PUBLIC" &&
        p.type == "USAGE" && !p.grantable)
      empty.privileges.push_back(p);
  auto d = schema::diff_schemas(empty, head);
  std::string text = std::string("-- The schema the migrations of ") + ctx.config().name +
                     " make, written by '" + ctx.config().name + " dump'.\n";
  for (const auto& w : d.warnings) text += "-- warning: " + escape_control_characters(w) + "\n";
  for (const auto& s : d.statements) text += s.sql + "\n";
  return text;
}

schema_model head_state(runner_context& ctx) {
  std::string server = scratch_server(ctx);
  return project(ctx, server).head().model;
}

// The committed dump at `path` ("" when there is none and it is not
// `required`), read before any scratch work, so that a project without one
// pays nothing.
std::string committed_dump(const runner_context& ctx, const std::string& path, bool required) {
  try {
    return read_file(path);
  } catch (const std::exception&) {
    if (!required) return "";
    throw usage_error("cannot read " + path + ": write it with " +
                      build_command(ctx.config(), std::string(ctx.config().name) + "_dump"));
  }
}

std::string dump_mismatch_message(const runner_context& ctx, const std::string& path) {
  return path + " does not match the schema the migrations make: write it again with: " +
         build_command(ctx.config(), std::string(ctx.config().name) + "_dump") +
         " and commit it (a review then shows the schema change as a diff of that file)";
}

}  // namespace

int dump_command(runner_context& ctx, const std::string& output) {
  std::string text = head_state_dump(ctx, head_state(ctx));
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

int dump_check_command(runner_context& ctx, const std::string& file) {
  std::string committed = committed_dump(ctx, file, true);
  if (committed == head_state_dump(ctx, head_state(ctx))) {
    ctx.info(file + " matches the schema the migrations make");
    return ok;
  }
  std::cerr << ctx.config().name << ": " << dump_mismatch_message(ctx, file) << "\n";
  return check_failed;
}

schema_findings schema_findings_of(runner_context& ctx, const std::string& given_server) {
  schema_findings out;
  std::string dir = ctx.config().migrations_dir;
  std::string dump_path = dir.substr(0, dir.find_last_of('/')) + "/generated/schema.sql";
  std::string committed = committed_dump(ctx, dump_path, false);
  bool declared = *ctx.config().schema_dir && ctx.catalog().schema_count > 0;
  if (!declared && committed.empty()) return out;
  // One head state for both findings.
  std::string server = given_server.empty() ? scratch_server(ctx) : given_server;
  auto states = project(ctx, server);
  schema_model head;
  if (declared) {
    auto both = states.both();
    auto d = schema::diff_schemas(both.head, both.declared);
    out.undeclared = d.detected;
    for (const auto& r : d.refusals) out.undeclared.push_back("refused: " + r);
    for (const auto& w : d.warnings) out.undeclared.push_back("warning: " + w);
    head = std::move(both.head);
  } else {
    head = states.head().model;
  }
  if (!committed.empty() && committed != head_state_dump(ctx, head))
    out.stale_dump = dump_mismatch_message(ctx, dump_path);
  return out;
}

}  // namespace migration_tools::cli
