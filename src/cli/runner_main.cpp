// The runner's command line (CLI11), the commands that need no database, and
// the mapping of errors to exit codes. Shared by both executables of a runner
// (runner_front.cpp, runner_online.cpp), so it names no libpqxx symbol.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <string_view>

#include "../engine/stale_runner.hpp"
#include "command_line.hpp"
#include "commands.hpp"
#include "migration_tools/core/migration.hpp"
#include "migration_tools/core/suggestion.hpp"
#include "migration_tools/core/text.hpp"
#include "migration_tools/core/url.hpp"
#include "migration_tools/postgres/errors.hpp"
#include "migration_tools/runner.hpp"

namespace migration_tools {

namespace {

std::string env_or(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v && *v ? v : fallback;
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

std::string build_command(const runner_config& config, const std::string& target) {
  std::string out = "cmake --build " + shell_word(config.build_dir);
  if (config.build_config && *config.build_config)
    out += " --config " + shell_word(config.build_config);
  return out + " --target " + shell_word(target);
}

void print_error(const char* runner, const std::string& message) {
  // Diagnostics that already name a file stand alone; everything else is
  // prefixed with the runner's name, the way compilers do.
  bool located = message.find(": error: ") != std::string::npos &&
                 message.find(": error: ") < message.find('\n');
  std::cerr << (located ? "" : std::string(runner) + ": error: ")
            << escape_control_characters(redact_url(message), true) << "\n";
}

// A database error of missing privileges (SQLSTATE 42501): the privileges
// the runner's role needs, which docs/bookkeeping.md lists, told where it failed.
std::string with_privilege_hint(const runner_config& config, const std::string& message) {
  if (message.find("SQLSTATE 42501") == std::string::npos &&
      message.find("permission denied") == std::string::npos)
    return message;
  std::string s = config.schema, t = config.version_table;
  return message + "\n  hint: the role that " + config.name +
         " connects as needs USAGE on schema " + s + " and SELECT, INSERT, UPDATE and DELETE on " +
         s + "." + t + ", " + s + "." + t + "_history and " + s + "." + t +
         "_progress (and USAGE on the history table's id sequence); CREATE on the schema to "
         "create them the first time; and what the migrations themselves need, usually "
         "ownership of the tables they alter (docs/bookkeeping.md)";
}

int end_runner(int rc) {
#if defined(__SANITIZE_ADDRESS__)
  if (!engine::connection_left_in_flight()) return rc;
#endif
  std::cout.flush();
  std::fflush(nullptr);
  std::_Exit(rc);
}

namespace {

// The commands that need the database whatever their options, and those
// that need it unless they run offline (--sql, check --offline). The others
// need it for some options only (needs_database).
bool always_needs_database(std::string_view n) {
  return n == "stamp" || n == "current" || n == "repair" || n == "diff" || n == "dump" ||
         n == "dev-db" || n == "config" || n == "test" || n == "lint";
}

bool needs_database_unless_offline(std::string_view n) {
  return n == "upgrade" || n == "downgrade" || n == "check";
}

}  // namespace

bool needs_database(const parsed_command& c) {
  const std::string& n = c.name;
  if (needs_database_unless_offline(n)) return n == "check" ? !c.offline : !c.sql;
  if (n == "history") return c.history.indicate_current || names_database_state(c.history.range);
  if (n == "show") return names_database_state(c.revision);
  if (n == "new") return c.autogenerate;
  return always_needs_database(n);
}

namespace {

// Whether a command that needs the database connects to the one it
// migrates whatever happens next (runner_context starts connecting before
// it builds the graph). Not the ones that may use a scratch server only, or
// none: dev-db, config, diff, dump, new --autogenerate.
bool surely_connects(const parsed_command& c) {
  const std::string& n = c.name;
  return n == "upgrade" || n == "downgrade" || n == "current" || n == "check" || n == "stamp" ||
         n == "repair" || n == "history" || n == "show";
}

// The first word of a command line that is no option (an option's value
// that looks like a command fools it; the callers only guess with it), and
// whether any word asks for an offline run (--sql, --offline).
struct command_word {
  std::string_view command;
  bool offline = false;
  bool help = false;  // -h, --help, --help-all, --version
};

command_word guess_command(int argc, char** argv) {
  command_word out;
  for (int i = 1; i < argc; ++i) {
    std::string_view word = argv[i];
    if (word == "-h" || word == "--help" || word == "--help-all" || word == "--version")
      out.help = true;
    if (word == "--sql" || word == "--offline") out.offline = true;
    if (out.command.empty() && !word.empty() && word[0] != '-') out.command = word;
  }
  return out;
}

// Whether the command line surely names a command that this runner answers
// itself and that checks for a stale runner, and no word asks for help or
// the version (which would wait for the walk on their way out). A wrong
// guess only starts the walk early, or not.
bool surely_checks_sources_here(const command_word& w) {
  if (w.help) return false;
  if (w.command == "heads" || w.command == "history" || w.command == "branches" ||
      w.command == "show")
    return true;
  return w.offline && needs_database_unless_offline(w.command);
}

// Whether the command line surely names a command that needs the database,
// so that the runner users run hands it over before building its command
// line parser (1 ms). A wrong guess costs the online runner's start, not a
// wrong answer: that runner answers every command, with the same parser.
bool surely_needs_database(const command_word& w) {
  return always_needs_database(w.command) ||
         (!w.offline && needs_database_unless_offline(w.command));
}

}  // namespace

int run_runner_as(const runner_config& config, const embedded_catalog& catalog, int argc,
                  char** argv, const runner_mode& mode) {
  // A runner older than its sources must not change the database. Finding
  // out takes a stat of every source file, which starts on a thread of its
  // own while this one parses the command line and builds the graph, and
  // ends on both (stale_check): at 1,000 migrations the stats are the longest
  // part of a `heads`, and parsing the command line takes a millisecond of
  // it (bench/README.md, start-up).
  const command_word guessed = guess_command(argc, argv);
  if (mode.hand_over && surely_needs_database(guessed)) return mode.hand_over(config, argc, argv);
  std::optional<stale_check> sources;
  if (surely_checks_sources_here(guessed)) sources.emplace(config, catalog);

  CLI::App app{std::string("Database migrations of '") + config.name + "' (MigrationTools)",
               config.name};
  app.require_subcommand(1);
  app.fallthrough();
  app.set_version_flag("--version",
                       std::string(config.name) + " (MigrationTools " + cli::version() + ")");
  global_options g;
  // One subcommand is parsed: those that take the same kind of value share
  // the field of parsed_command.
  parsed_command c;
  fleet_options& fleet = c.fleet;
  app.add_option("--url", fleet.urls,
                 "database URL (default: DATABASE_URL, POSTGRES_URL, POSTGRES_*, PG*, the same "
                 "in .env, add_migrations' DATABASE_URL, else the development database); "
                 "repeated: each of them (upgrade, downgrade, current, check, stamp)")
      ->allow_extra_args(false);
  app.add_option("--urls-file", fleet.urls_file,
                 "migrate every database listed in FILE, one URL per line, # comments");
  app.add_option("--tenant-schema", fleet.tenant_schemas,
                 "schema per tenant: migrate NAME (repeatable), its bookkeeping tables in it "
                 "and it first on the search_path")
      ->allow_extra_args(false);
  app.add_option("--tenant-schemas-from", fleet.tenant_schemas_from,
                 "schema per tenant: every schema the query SQL lists (first column)");
  app.add_option("--jobs", fleet.jobs,
                 "migrate at most N targets at once (default: the cores, at most 8)")
      ->check(CLI::PositiveNumber);
  app.add_flag("--fail-fast", fleet.fail_fast, "start no other target after one failed");
  app.add_option("--canary", fleet.canary,
                 "migrate the first K targets alone, the rest only when they all succeeded")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--state", fleet.state_file,
                 "record what each target reached in FILE; upgrade --resume skips those done");
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
               "new --autogenerate, diff, dump, check: load the history and the declared schema "
               "on the scratch server even when their states are kept (a C++ migration may "
               "depend on code outside its file)");
  app.add_option("--color", g.color, "auto, always or never")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  app.add_option("--format", g.format,
                 "text or json (current, history, heads, branches, show, test, lint); dot or "
                 "mermaid: history as a picture of the graph; github or sarif: lint's findings "
                 "as workflow annotations or SARIF 2.1.0")
      ->check(CLI::IsMember({"text", "json", "dot", "mermaid", "github", "sarif"}));
  app.add_option("--connect-timeout", g.connect_timeout,
                 "give up one connection attempt after DURATION (e.g. 10s; libpq's "
                 "connect_timeout)");
  app.add_option("--wait-for-db", g.wait_for_db,
                 "retry connecting for up to DURATION (e.g. 60s) while the server is not "
                 "accepting connections yet (a database starting beside the application)");
  app.add_option("--lock-wait", g.lock_wait,
                 "how long to wait for another runner's migration lock (default 5m)");
  app.add_option("--lock", g.lock_mode,
                 "the migration lock: session (a connection of its own), transaction (in each "
                 "migration's transaction: through PgBouncer in transaction mode), or auto "
                 "(transaction on port 6432, else session)")
      ->check(CLI::IsMember({"auto", "session", "transaction"}));
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
                 "PostgreSQL lock_timeout of each migration (default 3s; 0: none); a "
                 "migration's lock_timeout header key wins")
      ->check(pg_duration);
  app.add_option("--lock-retries", g.lock_retries,
                 "how many times a migration that timed out waiting for a lock is tried again, "
                 "nothing held in between (default 9; 0: one try)")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--lock-retry-delay", g.lock_retry_delay,
                 "the pause before the first retry, doubling with each (default 500ms)");
  app.add_option("--wait-for-idle", g.wait_for_idle,
                 "before a migration locks an existing table ACCESS EXCLUSIVE, wait up to "
                 "DURATION for the transactions on it older than the lock timeout to end");
  app.add_option("--wait-for-replicas", g.wait_for_replicas,
                 "after each migration, wait up to DURATION for every streaming standby "
                 "(pg_stat_replication) to replay it; fail, the lag named, if one has not");
  app.add_option("--statement-timeout", g.statement_timeout,
                 "PostgreSQL statement_timeout of each migration (e.g. 2min); a migration's "
                 "statement_timeout header key wins")
      ->check(pg_duration);
  app.add_flag("-q,--quiet", g.quiet, "print results only");
  app.add_flag("-v,--verbose", g.verbose, "print more");
  // The CMake targets' own switch: not for users, so not in --help (an
  // empty group hides it).
  app.add_flag("--from-env", g.from_env,
               "take a missing TARGET from MIGRATE_TARGET and -m from MIGRATE_MESSAGE "
               "(used by the CMake targets)")
      ->group("");
  app.add_option("--default-message", g.default_message,
                 "with --from-env: the message when MIGRATE_MESSAGE is not set (the CMake cache's)")
      ->group("");
  app.add_option("--default-target", g.default_target,
                 "with --from-env: the target when MIGRATE_TARGET is not set (the CMake cache's)")
      ->group("");

  auto* upgrade = app.add_subcommand("upgrade", "apply migrations up to TARGET (default head)");
  upgrade->add_option("target", c.target, "head, heads, <rev>, +N, <rev>+N");
  auto* downgrade = app.add_subcommand("downgrade", "revert migrations down to TARGET");
  downgrade->add_option("target", c.target, "-N, base, <rev>, <rev>-N");
  upgrade->add_flag(
      "--sql", c.sql,
      "print the SQL script of [FROM:]TO (FROM defaults to base) instead of running it");
  downgrade->add_flag("--sql", c.sql, "print the SQL script of FROM:TO instead of running it");
  for (auto* sub : {upgrade, downgrade}) {
    sub->add_option("--output", c.output,
                    "with --sql: write the script to FILE (whole or not at all) instead of stdout")
        ->needs("--sql");
    sub->add_flag("--resume", c.resume,
                  "continue a transactional-false migration that failed part-way, at its "
                  "failed statement; with --state, skip the targets that reached the goal")
        ->excludes("--sql");
  }
  auto* stamp = app.add_subcommand("stamp", "set the version rows without running migrations");
  stamp->add_option("revisions", c.revisions, "revisions to stamp (base empties the table)");
  stamp->add_flag("--purge", c.purge,
                  "empty the version table first, even of revisions this runner does not know");
  auto* current = app.add_subcommand("current", "show the database's current revisions");
  current->add_flag("--verbose", c.verbose);
  auto* history = app.add_subcommand("history", "list the migrations, newest first");
  history->add_option("-r,--rev-range", c.history.range,
                      "START:END, e.g. base:head, rev_a:, -3:current");
  history->add_flag("--verbose", c.verbose);
  history->add_flag("-i,--indicate-current", c.history.indicate_current,
                    "mark the database's current revisions");
  auto* heads = app.add_subcommand("heads", "list the heads of the graph");
  heads->add_flag("--verbose", c.verbose);
  auto* branches = app.add_subcommand("branches", "list the branch points and their children");
  branches->add_flag("--verbose", c.verbose);
  auto* show = app.add_subcommand("show", "show one revision");
  show->add_option("revision", c.revision, "any revision identifier")->required();
  app.add_subcommand("check",
                     "exit 0 only when the graph has one head, the database is at it and no "
                     "applied migration was edited (else 3)")
      ->add_flag("--offline", c.offline,
                 "check the graph alone (one head), without a database: for CTest and hooks");
  app.add_subcommand("repair",
                     "record the current checksums of applied migrations whose files were edited");
  auto* create = app.add_subcommand("new", "write a new migration file");
  create->add_option("-m,--message", c.create.message, "what the migration does");
  create->add_option("--rev-id", c.create.rev_id, "revision id (default: 12 random hex digits)");
  create->add_option("--head", c.create.head, "parent revision, or base (default: the head)");
  create->add_flag("--splice", c.create.splice,
                   "allow a --head that is not a head (starts a branch)");
  create
      ->add_option("--depends-on", c.create.depends_on,
                   "a revision that must be applied first, without being a parent "
                   "(repeatable, or comma separated)")
      ->allow_extra_args(false)
      ->delimiter(',');
  create->add_option("--branch-label", c.create.branch_label,
                     "a branch label for the new revision");
  create->add_flag("--cpp", c.create.cpp, "a C++ migration instead of SQL");
  create->add_flag("--autogenerate", c.autogenerate,
                   "write the migration from the declared schema's difference to the head state");
  create->add_flag("!--no-concurrent-indexes", c.create.concurrent_indexes,
                   "--autogenerate: build indexes on existing tables in the transaction, not "
                   "CONCURRENTLY in a second migration");
  create->add_flag("!--no-not-valid", c.create.not_valid,
                   "--autogenerate: validate foreign keys and checks on existing tables as they "
                   "are added, not NOT VALID then VALIDATE CONSTRAINT");
  create->add_option("--lock-timeout-header", c.create.lock_timeout,
                     "--autogenerate: the lock_timeout written in the header of a migration that "
                     "locks an existing table (default 5s; none: no header)");
  auto* diff = app.add_subcommand(
      "diff", "print the SQL from one schema state to another (migrations, schema, database)");
  diff->add_option("from", c.diff_from,
                   "migrations (default), schema, database, or the URL of any database");
  diff->add_option("to", c.diff_to,
                   "schema (default), migrations, database, or the URL of any database");
  auto* dump = app.add_subcommand(
      "dump", "print the schema the migrations make, as one dependency-ordered SQL file");
  dump->add_option("--output", c.output, "write it to FILE (whole or not at all)");
  dump->add_option("--check", c.check_file,
                   "compare it with FILE (a committed generated/schema.sql) instead: exit 3 "
                   "when they differ");
  auto* merge = app.add_subcommand("merge", "write a migration that merges revisions");
  merge->add_option("revisions", c.revisions, "revisions to merge, or heads");
  merge->add_option("-m,--message", c.create.message, "message of the merge migration");
  merge->add_option("--rev-id", c.create.rev_id, "revision id (default: 12 random hex digits)");
  merge->add_option("--branch-label", c.create.branch_label,
                    "a branch label for the merge revision");
  auto* test = app.add_subcommand(
      "test",
      "run the migration tests on scratch databases: single_head, upgrade, stairway (each "
      "revision upgraded, downgraded, upgraded again), data, schema_matches, dump_current");
  test->add_option("tests", c.test.kinds, "which tests (default: every one that applies)");
  test->add_option("--from", c.test.from, "start the upgrade, stairway and data tests here");
  test->add_option("--to", c.test.to, "end them here (default: every head)");
  test->add_option(
      "--data", c.test.data_dir,
      "a folder of <revision>.seed.sql and <revision>.check.sql files (the data test)");
  auto* lint = app.add_subcommand(
      "lint",
      "check the SQL migrations for DDL that locks or rewrites busy tables, breaks "
      "running clients or ages badly (file:line:col: warning: ... [rule])");
  lint->add_option("files", c.lint.files, "only these migration files (default: all)");
  lint->add_flag("--rules", c.lint.list_rules, "list the rules: id, level, reason, alternative");
  lint->add_flag("--strict", c.lint.strict, "exit 3 on any finding, warnings included");
  lint->add_flag("--database", c.lint.database,
                 "ask the database which revisions it has applied: tables created by the others "
                 "are still empty, and exempt from the lock rules");
  // The build's LINT WARN: findings printed, the build goes on.
  lint->add_flag("--warn-only", c.lint.warn_only, "exit 0 whatever is found")->group("");
  lint->add_flag("--absolute-paths", c.lint.absolute_paths, "name files by absolute paths")
      ->group("");
  app.add_subcommand("config", "print the effective configuration and where each value came from");
  auto* dev = app.add_subcommand("dev-db", "the embedded development database");
  dev->add_option("action", c.dev_action, "start, stop, status or url")
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
  for (const auto* sub : app.get_subcommands()) c.name = sub->get_name();
  if (fleet.urls.size() == 1) g.url = fleet.urls.front();
  if (c.name == "test") {
    c.test.reproduce = shell_word(argv[0]);
    for (int i = 1; i < argc; ++i) c.test.reproduce += " " + shell_word(argv[i]);
  }
  c.verbose = c.verbose || g.verbose;
  c.history.verbose = c.verbose;
  // The runner users run has no database: it hands the whole command line to
  // the online runner before doing anything that one would do again.
  if ((needs_database(c) || fleet.is_fleet()) && !mode.run_online)
    return mode.hand_over(config, argc, argv);
  g.command = c.name;
  g.open_database = mode.open_database;
  g.connect_early = needs_database(c) && surely_connects(c);

  try {
    if (g.from_env) {
      // The build log shows the target the CMake target ran with.
      // The environment, else the CMake cache (an IDE's settings).
      std::string target = env_or("MIGRATE_TARGET", "");
      std::string from = " (MIGRATE_TARGET)";
      if (target.empty() && !g.default_target.empty())
        target = g.default_target, from = " (MIGRATE_TARGET in the CMake cache)";
      auto say_target = [&](const char* fallback) {
        if (!c.target.empty()) return;
        c.target = target;
        if (!g.quiet)
          std::cerr << c.name << " to "
                    << (c.target.empty() ? std::string(fallback) +
                                               " (the default; MIGRATE_TARGET "
                                               "chooses another)"
                                         : c.target + from)
                    << "\n";
      };
      if (c.name == "upgrade") say_target("head");
      if (c.name == "downgrade") say_target("-1");
      // The message likewise, else, as Alembic allows a revision without a
      // message, a plain one: a target clicked in an IDE's build panel
      // writes its file.
      if (c.create.message.empty()) c.create.message = env_or("MIGRATE_MESSAGE", g.default_message);
      if (c.create.message.empty() && c.name == "new")
        c.create.message = c.autogenerate ? "autogenerated" : "new migration";
      if (c.create.message.empty() && c.name == "merge") c.create.message = "merge heads";
      if (c.name == "stamp" && c.revisions.empty() && !target.empty()) c.revisions = {target};
      if (c.name == "merge" && c.revisions.empty())
        c.revisions = {target.empty() ? std::string("heads") : target};
    }
    if ((g.format == "dot" || g.format == "mermaid") && c.name != "history")
      throw usage_error("--format " + g.format +
                        " draws the revision graph: it is for history (e.g. '" + config.name +
                        " history --format mermaid')");
    if ((g.format == "github" || g.format == "sarif") && c.name != "lint")
      throw usage_error("--format " + g.format + " is for lint's findings (e.g. '" + config.name +
                        " --format sarif lint')");
    const bool check_stale = c.name != "dev-db" && c.name != "config";
    // A command that connects early checks once the connection is on its
    // way, on this thread alone: the server's answer takes longer than the
    // check, and the server starting its backend needs a processor as much
    // as a helper thread statting files would.
    auto stale_message = [&](const std::vector<stale_file>& stale) {
      return "the runner is stale: " + stale_sources(config, stale) +
             " changed since it was built:" + describe_stale_files(stale) +
             "\nrebuild it: " + build_command(config, config.name);
    };
    if (fleet.is_fleet()) {
      g.connect_early = false;
      if (!sources) sources.emplace(config, catalog, /*helper=*/false);
      auto stale = sources->result();
      bool changes_database = c.name == "upgrade" || c.name == "downgrade" || c.name == "stamp";
      if (!stale.empty() && changes_database) throw usage_error(stale_message(stale));
      if (!stale.empty()) std::cerr << config.name << ": warning: " << stale_message(stale) << "\n";
      if (!mode.run_fleet) throw std::logic_error("this runner cannot run a fleet");
      return mode.run_fleet(config, catalog, g, c);
    }
    if (check_stale && !sources && !g.connect_early) sources.emplace(config, catalog);
    runner_context ctx(config, catalog, g);
    if (check_stale && !sources) sources.emplace(config, catalog, /*helper=*/false);
    if (check_stale) {
      auto stale = sources->result();
      if (!stale.empty()) {
        std::string message = stale_message(stale);
        bool changes_database = (c.name == "upgrade" || c.name == "downgrade") && !c.sql;
        if (changes_database || c.name == "stamp" || c.name == "repair" || c.autogenerate)
          throw usage_error(message);
        if ((c.name == "new" || c.name == "merge") && !c.autogenerate) {
          // They plan from what is on disk, so that two `new` in a row make
          // a chain rather than two heads (or a duplicate --rev-id).
          std::vector<diagnostic> ds;
          auto on_disk = migrations_on_disk(config, catalog, stale, ds);
          if (has_errors(ds)) throw migration_file_error(std::move(ds));
          ctx.use_migrations(std::move(on_disk));
          ctx.info("note: the runner is older than its migrations directory; " + c.name +
                   " plans from the files there");
        } else {
          std::cerr << config.name << ": warning: " << message << "\n";
        }
      }
    }
    int rc = [&]() -> int {
      if (c.name == "upgrade" && c.sql) return offline_upgrade_command(ctx, c.target, c.output);
      if (c.name == "downgrade" && c.sql) return offline_downgrade_command(ctx, c.target, c.output);
      if (c.name == "downgrade" && c.target.empty() && !g.from_env)
        throw usage_error("downgrade needs a TARGET: -1, base, a revision, or <rev>-N");
      if (c.name == "stamp" && c.revisions.empty())
        throw usage_error("stamp needs a revision (for the target: MIGRATE_TARGET=<rev>)");
      if (needs_database(c)) return mode.run_online(ctx, c);
      if (c.name == "history") return history_command(ctx, c.history);
      if (c.name == "branches") return branches_command(ctx, c.verbose);
      if (c.name == "show") return show_command(ctx, c.revision);
      if (c.name == "heads") return heads_command(ctx, c.verbose);
      if (c.name == "check") return check_graph_command(ctx);
      if (c.name == "new") return new_command(ctx, c.create);
      if (c.name == "merge")
        return merge_command(ctx, c.revisions, c.create.message, c.create.rev_id,
                             c.create.branch_label);
      return bad_input;
    }();
    ctx.keep_graph_until_exit();
    return rc;
  } catch (const usage_error& e) {
    print_error(config.name, e.what());
    return bad_input;
  } catch (const database_error& e) {
    print_error(config.name, with_privilege_hint(config, e.what()));
    return database_failure;
  } catch (const std::exception& e) {
    print_error(config.name, with_privilege_hint(config, e.what()));
    return database_failure;
  }
}

}  // namespace cli

}  // namespace migration_tools
