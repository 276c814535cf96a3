// The runner's command line (CLI11) and the mapping of errors to exit codes.
#include <CLI/CLI.hpp>
#include <cstdlib>
#include <future>
#include <iostream>
#include <pqxx/pqxx>

#include "commands.hpp"
#include "migration_tools/core/migration.hpp"
#include "migration_tools/core/suggestion.hpp"
#include "migration_tools/core/text.hpp"
#include "migration_tools/core/url.hpp"
#include "migration_tools/postgres/errors.hpp"
#include "migration_tools/runner.hpp"
#include "offline_script.hpp"
#include "stale_runner.hpp"

namespace migration_tools {

namespace {

std::string env_or(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v && *v ? v : fallback;
}

void print_error(const char* runner, const std::string& message) {
  // Diagnostics that already name a file stand alone; everything else is
  // prefixed with the runner's name, the way compilers do.
  bool located = message.find(": error: ") != std::string::npos &&
                 message.find(": error: ") < message.find('\n');
  std::cerr << (located ? "" : std::string(runner) + ": error: ")
            << escape_control_characters(redact_url(message), true) << "\n";
}

// What to say of a command we do not have: Alembic's name for ours, or the
// nearest of ours, and the list.
std::string unknown_command_message(const CLI::App& app, const std::string& word) {
  std::vector<std::string> ours;
  for (const auto* sub : app.get_subcommands([](const CLI::App*) { return true; }))
    ours.push_back(sub->get_name());
  std::string hint;
  if (word == "revision")
    hint =
        "; Alembic's 'revision' is 'new' here ('revision --autogenerate' is "
        "'new --autogenerate')";
  else if (word == "init")
    hint = "; there is no 'init': add_migrations() in CMakeLists.txt makes the runner";
  else if (std::string guess = nearest_word(word, ours); !guess.empty())
    hint = "; did you mean '" + guess + "'?";
  std::string list;
  for (const auto& name : ours) list += (list.empty() ? "" : ", ") + name;
  return "unknown command '" + word + "'" + hint + "\ncommands: " + list;
}

}  // namespace

namespace cli {
const char* version() {
  return MIGRATION_TOOLS_VERSION;
}
}  // namespace cli

int run_runner(const runner_config& config, const embedded_catalog& catalog, int argc,
               char** argv) {
  using namespace cli;
  CLI::App app{std::string("Database migrations of '") + config.name + "' (MigrationTools)",
               config.name};
  app.require_subcommand(1);
  app.fallthrough();
  app.set_version_flag("--version",
                       std::string(config.name) + " (MigrationTools " + cli::version() + ")");
  global_options g;
  app.add_option("--url", g.url,
                 "database URL (default: DATABASE_URL, POSTGRES_URL, POSTGRES_*, PG*, the same "
                 "in .env, add_migrations' DATABASE_URL, else the development database)");
  app.add_option("--env-file", g.env_file,
                 "read DATABASE_URL and the other names from FILE (default: ./.env when it "
                 "exists); the environment wins");
  app.add_flag("--no-dev-db", g.no_dev_db,
               "a missing database URL is an error, not the development database (also "
               "MIGRATE_NO_DEV_DB=1, and whenever CI is set)");
  app.add_option("--dev-url", g.dev_url,
                 "scratch server of new --autogenerate, diff, dump and check (default: "
                 "$MIGRATE_DEV_URL, else the development database's server)");
  app.add_flag("--no-cache", g.no_cache,
               "new --autogenerate, diff, dump, check: replay the history on the scratch server "
               "even when its head state is kept (a C++ migration may depend on code outside "
               "its file)");
  app.add_option("--color", g.color, "auto, always or never")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  app.add_option("--format", g.format, "text or json (current, history, heads, branches, show)")
      ->check(CLI::IsMember({"text", "json"}));
  app.add_option("--connect-timeout", g.connect_timeout,
                 "give up one connection attempt after DURATION (e.g. 10s; libpq's "
                 "connect_timeout)");
  app.add_option("--wait-for-db", g.wait_for_db,
                 "retry connecting for up to DURATION (e.g. 60s) while the server is not "
                 "accepting connections yet (a database starting beside the application)");
  app.add_option("--lock-wait", g.lock_wait,
                 "how long to wait for another runner's migration lock (default 5m)");
  // PostgreSQL's own syntax, as in the header keys lock_timeout and statement_timeout.
  auto pg_duration = CLI::Validator(
      [](std::string& text) -> std::string {
        return parse_postgres_duration(text)
                   ? ""
                   : "malformed duration '" + text +
                         "': expected a PostgreSQL duration such as 500ms, 5s or 2min, or an "
                         "integer of milliseconds";
      },
      "DURATION");
  app.add_option("--lock-timeout", g.lock_timeout,
                 "PostgreSQL lock_timeout of each migration (e.g. 5s); a migration's "
                 "lock_timeout header key wins")
      ->check(pg_duration);
  app.add_option("--statement-timeout", g.statement_timeout,
                 "PostgreSQL statement_timeout of each migration (e.g. 2min); a migration's "
                 "statement_timeout header key wins")
      ->check(pg_duration);
  app.add_flag("-q,--quiet", g.quiet, "print results only");
  app.add_flag("-v,--verbose", g.verbose, "print more");
  app.add_flag("--from-env", g.from_env,
               "take a missing TARGET from MIGRATE_TARGET and -m from MIGRATE_MESSAGE "
               "(used by the CMake targets)");

  std::string upgrade_target, downgrade_target, dev_action;
  bool current_verbose = false, history_verbose = false, heads_verbose = false;
  new_options new_opts;
  std::vector<std::string> merge_revisions;
  std::string merge_message, merge_rev_id, merge_branch_label;

  auto* upgrade = app.add_subcommand("upgrade", "apply migrations up to TARGET (default head)");
  upgrade->add_option("target", upgrade_target, "head, heads, <rev>, +N, <rev>+N");
  auto* downgrade = app.add_subcommand("downgrade", "revert migrations down to TARGET");
  downgrade->add_option("target", downgrade_target, "-N, base, <rev>, <rev>-N");
  bool upgrade_sql = false, downgrade_sql = false;
  upgrade->add_flag(
      "--sql", upgrade_sql,
      "print the SQL script of [FROM:]TO (FROM defaults to base) instead of running it");
  downgrade->add_flag("--sql", downgrade_sql,
                      "print the SQL script of FROM:TO instead of running it");
  std::string upgrade_output, downgrade_output;
  upgrade
      ->add_option("--output", upgrade_output,
                   "with --sql: write the script to FILE (whole or not at all) instead of stdout")
      ->needs("--sql");
  downgrade
      ->add_option("--output", downgrade_output,
                   "with --sql: write the script to FILE (whole or not at all) instead of stdout")
      ->needs("--sql");
  bool upgrade_resume = false, downgrade_resume = false;
  upgrade
      ->add_flag("--resume", upgrade_resume,
                 "continue a transactional-false migration that failed part-way, at its "
                 "failed statement")
      ->excludes("--sql");
  downgrade
      ->add_flag("--resume", downgrade_resume,
                 "continue a transactional-false migration that failed part-way, at its "
                 "failed statement")
      ->excludes("--sql");
  std::vector<std::string> stamp_targets;
  auto* stamp = app.add_subcommand("stamp", "set the version rows without running migrations");
  stamp->add_option("revisions", stamp_targets, "revisions to stamp (base empties the table)");
  bool stamp_purge = false;
  stamp->add_flag("--purge", stamp_purge,
                  "empty the version table first, even of revisions this runner does not know");
  auto* current = app.add_subcommand("current", "show the database's current revisions");
  current->add_flag("--verbose", current_verbose);
  history_options history_opts;
  auto* history = app.add_subcommand("history", "list the migrations, newest first");
  history->add_option("-r,--rev-range", history_opts.range,
                      "START:END, e.g. base:head, rev_a:, -3:current");
  history->add_flag("--verbose", history_verbose);
  history->add_flag("-i,--indicate-current", history_opts.indicate_current,
                    "mark the database's current revisions");
  auto* heads = app.add_subcommand("heads", "list the heads of the graph");
  heads->add_flag("--verbose", heads_verbose);
  bool branches_verbose = false;
  auto* branches = app.add_subcommand("branches", "list the branch points and their children");
  branches->add_flag("--verbose", branches_verbose);
  std::string show_revision;
  auto* show = app.add_subcommand("show", "show one revision");
  show->add_option("revision", show_revision, "any revision identifier")->required();
  auto* check = app.add_subcommand(
      "check",
      "exit 0 only when the graph has one head, the database is at it and no applied "
      "migration was edited (else 3)");
  auto* repair = app.add_subcommand(
      "repair", "record the current checksums of applied migrations whose files were edited");
  auto* create = app.add_subcommand("new", "write a new migration file");
  create->add_option("-m,--message", new_opts.message, "what the migration does");
  create->add_option("--rev-id", new_opts.rev_id, "revision id (default: 12 random hex digits)");
  create->add_option("--head", new_opts.head, "parent revision, or base (default: the head)");
  create->add_flag("--splice", new_opts.splice,
                   "allow a --head that is not a head (starts a branch)");
  create
      ->add_option("--depends-on", new_opts.depends_on,
                   "a revision that must be applied first, without being a parent "
                   "(repeatable, or comma separated)")
      ->allow_extra_args(false)
      ->delimiter(',');
  create->add_option("--branch-label", new_opts.branch_label,
                     "a branch label for the new revision");
  create->add_flag("--cpp", new_opts.cpp, "a C++ migration instead of SQL");
  bool autogenerate = false;
  create->add_flag("--autogenerate", autogenerate,
                   "write the migration from the declared schema's difference to the head state");
  std::string diff_from = "migrations", diff_to = "schema";
  auto* diff = app.add_subcommand(
      "diff", "print the SQL from one schema state to another (migrations, schema, database)");
  diff->add_option("from", diff_from,
                   "migrations (default), schema, database, or the URL of any database");
  diff->add_option("to", diff_to,
                   "schema (default), migrations, database, or the URL of any database");
  auto* dump = app.add_subcommand(
      "dump", "print the schema the migrations make, as one dependency-ordered SQL file");
  std::string dump_output;
  dump->add_option("--output", dump_output, "write it to FILE (whole or not at all)");
  auto* merge = app.add_subcommand("merge", "write a migration that merges revisions");
  merge->add_option("revisions", merge_revisions, "revisions to merge, or heads");
  merge->add_option("-m,--message", merge_message, "message of the merge migration");
  merge->add_option("--rev-id", merge_rev_id, "revision id (default: 12 random hex digits)");
  merge->add_option("--branch-label", merge_branch_label, "a branch label for the merge revision");
  auto* config_cmd = app.add_subcommand(
      "config", "print the effective configuration and where each value came from");
  auto* dev = app.add_subcommand("dev-db", "the embedded development database");
  dev->add_option("action", dev_action, "start, stop, status or url")
      ->required()
      ->check(CLI::IsMember({"start", "stop", "status", "url"}));

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // A word that is no command of ours (Alembic's `revision`, `init`, a typo)
    // is left over: name it, and ours, rather than "a subcommand is required".
    std::vector<std::string> left = app.remaining();
    if (app.get_subcommands().empty() && !left.empty() && left.front()[0] != '-') {
      print_error(config.name, unknown_command_message(app, left.front()));
      return bad_input;
    }
    int rc = app.exit(e);
    return rc == 0 ? ok : bad_input;
  }

  try {
    if (g.from_env) {
      // The build log shows the target the CMake target ran with.
      auto say_target = [&](const CLI::App* sub, std::string& target, const char* fallback) {
        if (!*sub || !target.empty()) return;
        target = env_or("MIGRATE_TARGET", "");
        if (!g.quiet)
          std::cerr << sub->get_name() << " to "
                    << (target.empty() ? std::string(fallback) +
                                             " (the default; MIGRATE_TARGET "
                                             "chooses another)"
                                       : target + " (MIGRATE_TARGET)")
                    << "\n";
      };
      say_target(upgrade, upgrade_target, "head");
      say_target(downgrade, downgrade_target, "-1");
      if (new_opts.message.empty()) new_opts.message = env_or("MIGRATE_MESSAGE", "");
      if (merge_message.empty()) merge_message = env_or("MIGRATE_MESSAGE", "");
      if (stamp_targets.empty() && !env_or("MIGRATE_TARGET", "").empty())
        stamp_targets = {env_or("MIGRATE_TARGET", "")};
      if (merge_revisions.empty()) {
        std::string target = env_or("MIGRATE_TARGET", "heads");
        merge_revisions = {target};
      }
    }
    for (const auto* sub : app.get_subcommands()) g.command = sub->get_name();
    // A runner older than its sources must not change the database. Finding
    // out takes a stat of every source file, which runs on a thread of its
    // own while the runner builds its graph (at 10,000 migrations each takes
    // about a quarter of a `heads`).
    const bool check_stale = !*dev && !*config_cmd;
    std::future<std::vector<stale_file>> stale_files;
    if (check_stale)
      stale_files =
          std::async(std::launch::async, [&] { return find_stale_files(config, catalog); });
    runner_context ctx(config, catalog, g);
    if (check_stale) {
      auto stale = stale_files.get();
      if (!stale.empty()) {
        std::string message = "the runner is stale: " + stale_sources(config, stale) +
                              " changed since it was built:" + describe_stale_files(stale) +
                              "\nrebuild it: cmake --build " + config.build_dir + " --target " +
                              config.name;
        if (*upgrade || *downgrade || *stamp || *repair || autogenerate) throw usage_error(message);
        if ((*create || *merge) && !autogenerate) {
          // They plan from what is on disk, so that two `new` in a row make
          // a chain rather than two heads (or a duplicate --rev-id).
          std::vector<diagnostic> ds;
          auto on_disk = migrations_on_disk(config, catalog, stale, ds);
          if (has_errors(ds)) throw migration_file_error(std::move(ds));
          ctx.use_migrations(std::move(on_disk));
          ctx.info("note: the runner is older than its migrations directory; " + g.command +
                   " plans from the files there");
        } else {
          std::cerr << config.name << ": warning: " << message << "\n";
        }
      }
    }
    int rc = [&]() -> int {
      bool verbose = g.verbose;
      if (*upgrade && upgrade_sql)
        return offline_upgrade_command(ctx, upgrade_target, upgrade_output);
      if (*upgrade)
        return upgrade_command(ctx, upgrade_target.empty() ? "head" : upgrade_target,
                               upgrade_resume);
      if (*downgrade && downgrade_sql)
        return offline_downgrade_command(ctx, downgrade_target, downgrade_output);
      if (*downgrade) {
        if (downgrade_target.empty() && !g.from_env)
          throw usage_error("downgrade needs a TARGET: -1, base, a revision, or <rev>-N");
        return downgrade_command(ctx, downgrade_target.empty() ? "-1" : downgrade_target,
                                 downgrade_resume);
      }
      if (*stamp) {
        if (stamp_targets.empty())
          throw usage_error("stamp needs a revision (for the target: MIGRATE_TARGET=<rev>)");
        return stamp_command(ctx, stamp_targets, stamp_purge);
      }
      if (*current) return current_command(ctx, verbose || current_verbose);
      if (*history) {
        history_opts.verbose = verbose || history_verbose;
        return history_command(ctx, history_opts);
      }
      if (*branches) return branches_command(ctx, verbose || branches_verbose);
      if (*show) return show_command(ctx, show_revision);
      if (*heads) return heads_command(ctx, verbose || heads_verbose);
      if (*check) return check_command(ctx);
      if (*repair) return repair_command(ctx);
      if (*create && autogenerate) return autogenerate_command(ctx, new_opts);
      if (*create) return new_command(ctx, new_opts);
      if (*diff) return diff_command(ctx, diff_from, diff_to);
      if (*dump) return dump_command(ctx, dump_output);
      if (*merge)
        return merge_command(ctx, merge_revisions, merge_message, merge_rev_id, merge_branch_label);
      if (*dev) return dev_db_command(ctx, dev_action);
      if (*config_cmd) return config_command(ctx);
      return bad_input;
    }();
    ctx.keep_graph_until_exit();
    return rc;
  } catch (const usage_error& e) {
    print_error(config.name, e.what());
    return bad_input;
  } catch (const database_error& e) {
    print_error(config.name, e.what());
    return database_failure;
  } catch (const pqxx::broken_connection& e) {
    print_error(config.name, "lost the connection to the database: " + postgres_message(e.what()));
    return database_failure;
  } catch (const pqxx::sql_error& e) {
    // libpqxx leaves the SQLSTATE empty for some errors: say nothing then.
    print_error(config.name, postgres_message(e.what()) +
                                 (e.sqlstate().empty() ? "" : " (SQLSTATE " + e.sqlstate() + ")"));
    return database_failure;
  } catch (const std::exception& e) {
    print_error(config.name, e.what());
    return database_failure;
  }
}

}  // namespace migration_tools
