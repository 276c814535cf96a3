// Where the database comes from (issue 12): --url, DATABASE_URL, POSTGRES_URL,
// POSTGRES_*, PG*, a .env file, and the development database only for
// developers; `config`, `--version`, unknown commands, and the defects found
// by a new user (check's exit code and columns, idempotent upgrade, a
// migration never filled in).
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>
#include <sstream>
#include <thread>
#include <tuple>

#include "runners.hpp"
#include "test_database.hpp"

using namespace migration_tools::test;
using Catch::Matchers::Contains;

namespace {

using environment = std::vector<std::pair<std::string, std::string>>;

// The names the runner reads for its database that a test machine may have
// set, emptied (empty counts as unset; libpq too takes an empty PGHOST, PGPORT
// or PGDATABASE for its default), and a development-database folder that must
// never be created.
environment clean_environment(const std::string& tag) {
  environment env;
  for (const char* name : {"DATABASE_URL", "POSTGRES_URL", "POSTGRES_HOST", "POSTGRES_PORT",
                           "POSTGRES_USER", "POSTGRES_PASSWORD", "POSTGRES_DB", "PGHOST",
                           "PGDATABASE", "PGPORT", "CI", "MIGRATE_NO_DEV_DB"})
    env.emplace_back(name, "");
  env.emplace_back("MIGRATION_TOOLS_DEV_DB_DIR",
                   (std::filesystem::temp_directory_path() / ("mt-no-dev-db-" + tag)).string());
  return env;
}

environment with(environment env, const environment& more) {
  env.insert(env.end(), more.begin(), more.end());
  return env;
}

// The parts of the test cluster's URL: postgresql:///DB?host=DIR&user=postgres.
std::string socket_of(const std::string& url) {
  auto at = url.find("host=") + 5;
  return url.substr(at, url.find('&', at) - at);
}
std::string database_of(const std::string& url) {
  auto at = url.find(":///") + 4;
  return url.substr(at, url.find('?') - at);
}

// Runs the runner in `dir` (where it looks for .env).
process_result run_in(const std::string& dir, std::vector<std::string> args,
                      const environment& env) {
  args.insert(args.begin(), {"/bin/sh", "-c", "cd \"$1\" && shift && exec \"$@\"", "sh", dir});
  return run_process(args, env);
}

std::string fresh_directory(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() / ("mt-config-" + name);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir.string();
}

void write(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
  // Whatever the machine's umask: a .env writable by others is refused.
  ::chmod(path.c_str(), 0644);
}

}  // namespace

TEST_CASE("the database comes from DATABASE_URL, POSTGRES_URL, POSTGRES_*, PG* and .env, in order",
          "[db][config]") {
  auto url = fresh_database("config_sources");
  auto base = clean_environment("sources");
  std::string dir = fresh_directory("sources");
  auto current = [&](const environment& env) {
    auto r = run_in(dir, {LINEAR_RUNNER, "current"}, with(base, env));
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    return r.err;
  };
  CHECK_THAT(current({{"DATABASE_URL", url}, {"POSTGRES_URL", "postgresql://nowhere/x"}}),
             Contains("(DATABASE_URL)"));
  CHECK_THAT(current({{"POSTGRES_URL", url}, {"PGHOST", "/nonexistent"}}),
             Contains("(POSTGRES_URL)"));
  CHECK_THAT(current({{"POSTGRES_HOST", socket_of(url)},
                      {"POSTGRES_USER", "postgres"},
                      {"POSTGRES_DB", database_of(url)}}),
             Contains("(POSTGRES_HOST, POSTGRES_USER, POSTGRES_DB)"));
  CHECK_THAT(
      current(
          {{"PGHOST", socket_of(url)}, {"PGUSER", "postgres"}, {"PGDATABASE", database_of(url)}}),
      Contains("(PGHOST, PGDATABASE, PGUSER)"));
  // One display form for every source, naming the database libpq really
  // uses (issue 32, defect 5): with no database name, the user's.
  std::string canonical = "using database postgresql://postgres@/" + database_of(url) +
                          "?host=" + socket_of(url) + " (";
  CHECK_THAT(current({{"DATABASE_URL", url}}), Contains(canonical));
  CHECK_THAT(current({{"POSTGRES_HOST", socket_of(url)},
                      {"POSTGRES_USER", "postgres"},
                      {"POSTGRES_DB", database_of(url)}}),
             Contains(canonical));
  CHECK_THAT(
      current(
          {{"PGHOST", socket_of(url)}, {"PGUSER", "postgres"}, {"PGDATABASE", database_of(url)}}),
      Contains(canonical));
  CHECK_THAT(current({{"PGHOST", socket_of(url)}, {"PGUSER", "postgres"}}),
             Contains("using database postgresql://postgres@/postgres?host=" + socket_of(url) +
                      " (PGHOST, PGUSER)"));

  // SQLAlchemy's driver suffix is dropped, with a note.
  std::string sqlalchemy =
      "postgresql+psycopg2://" + url.substr(std::string("postgresql://").size());
  CHECK_THAT(current({{"DATABASE_URL", sqlalchemy}}),
             Contains("note: the URL's driver 'psycopg2'") && Contains("(DATABASE_URL)"));

  // A .env file: used when the environment names nothing, never over it.
  write(dir + "/.env",
        "# the team's settings\nexport POSTGRES_URL='" + url + "'\nDATABASE_URL=${POSTGRES_URL}\n");
  CHECK_THAT(current({}), Contains("(DATABASE_URL in .env)"));
  CHECK_THAT(current({{"POSTGRES_URL", url}}), Contains("(POSTGRES_URL)"));
  // PGHOST and PGUSER set in the shell for psql (issue 32, defect 6): the
  // project's .env still decides which database.
  CHECK_THAT(current({{"PGHOST", "/nonexistent"}, {"PGUSER", "nobody"}}),
             Contains("(DATABASE_URL in .env)"));
  write(dir + "/other.env",
        "PGHOST=" + socket_of(url) + "\nPGDATABASE=" + database_of(url) + "\nPGUSER=postgres\n");
  auto r = run_in(dir, {LINEAR_RUNNER, "--env-file", "other.env", "current"}, base);
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.err, Contains("(PGHOST, PGDATABASE, PGUSER in other.env)"));

  // A malformed .env line is bad input naming its file and line.
  write(dir + "/.env", "DATABASE_URL=" + url + "\nthis line is not an assignment\n");
  auto bad = run_in(dir, {LINEAR_RUNNER, "current"}, base);
  CHECK(bad.exit_code == 2);
  CHECK_THAT(bad.err, Contains(".env:2: error: expected '=' after 'this'"));
  auto missing = run_in(dir, {LINEAR_RUNNER, "--env-file", "nope.env", "current"}, base);
  CHECK(missing.exit_code == 2);
  CHECK_THAT(missing.err, Contains("cannot read the .env file 'nope.env'"));
}

TEST_CASE("with CI set or --no-dev-db, a missing URL is an error, not the development database",
          "[db][config]") {
  auto base = clean_environment("refused");
  std::string dev_dir = base.back().second;
  std::filesystem::remove_all(dev_dir);
  std::string dir = fresh_directory("refused");
  for (const auto& [why, env, args] :
       std::vector<std::tuple<std::string, environment, std::vector<std::string>>>{
           {"CI is set", {{"CI", "true"}}, {}},
           {"--no-dev-db was given", {}, {"--no-dev-db"}},
           {"MIGRATE_NO_DEV_DB is set", {{"MIGRATE_NO_DEV_DB", "1"}}, {}}}) {
    std::vector<std::string> command = {LINEAR_RUNNER};
    command.insert(command.end(), args.begin(), args.end());
    command.push_back("upgrade");
    auto r = run_in(dir, command, with(base, env));
    INFO(r.out << r.err);
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Contains("no database to migrate") &&
                          Contains("DATABASE_URL, POSTGRES_URL") && Contains("PGHOST") &&
                          Contains(why));
  }
  // Nothing was started or created.
  CHECK_FALSE(std::filesystem::exists(dev_dir));
  // CI=false is no CI.
  CHECK(run_in(dir, {LINEAR_RUNNER, "config"}, with(base, {{"CI", "false"}}))
            .out.find("the development database") != std::string::npos);
}

TEST_CASE("a password with an unencoded '@' is refused without showing any part of it",
          "[db][config]") {
  auto base = clean_environment("at_sign");
  auto r = run_process(
      {LINEAR_RUNNER, "--url", "postgresql://postgres:s3c@ret@localhost/db", "current"}, base);
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Contains("percent-encoded") && Contains("%40"));
  CHECK(r.err.find("s3c") == std::string::npos);
  CHECK(r.err.find("ret@") == std::string::npos);
}

TEST_CASE("config shows each value and its source, the password masked, and --version",
          "[db][config]") {
  auto base = clean_environment("config");
  std::string dir = fresh_directory("config");
  write(dir + "/.env",
        "POSTGRES_HOST=db.internal\nPOSTGRES_USER=app\nPOSTGRES_PASSWORD=\"hunter2 x\"\n"
        "POSTGRES_DB=shop\n");
  auto text = run_in(dir, {LINEAR_RUNNER, "config"}, base);
  INFO(text.out << text.err);
  REQUIRE(text.exit_code == 0);
  CHECK_THAT(text.out, Contains("postgresql://app:***@db.internal/shop") &&
                           Contains("(POSTGRES_HOST, POSTGRES_USER, POSTGRES_DB in .env)") &&
                           Contains("mt_linear_version") && Contains("fixtures/linear"));
  CHECK(text.out.find("hunter2") == std::string::npos);

  auto json = run_in(dir, {LINEAR_RUNNER, "--format", "json", "config"}, base);
  REQUIRE(json.exit_code == 0);
  auto j = nlohmann::ordered_json::parse(json.out);
  CHECK(j.begin().key() == "runner");  // in the order of the text output
  CHECK(j["database"]["source"] == "POSTGRES_HOST, POSTGRES_USER, POSTGRES_DB in .env");
  CHECK(j["version table"]["value"] == "mt_linear_version");
  CHECK(j["runner"]["value"] == "mt_linear");
  // Issue 32, defect 4: a keyword is credited only when it was given.
  CHECK(j["migrations directory"]["source"] == "add_migrations DIRECTORY");
  CHECK(j["bookkeeping schema"]["source"] == "default: public");
  CHECK(j["version table"]["source"] == "default: the runner's name + _version");

  auto version = run_process({LINEAR_RUNNER, "--version"}, base);
  CHECK(version.exit_code == 0);
  CHECK_THAT(version.out, Contains("mt_linear (MigrationTools 0."));
}

TEST_CASE("an unknown command is named, with ours (Alembic's revision is new)", "[db][config]") {
  auto base = clean_environment("unknown");
  auto revision = run_process({LINEAR_RUNNER, "revision", "-m", "x"}, base);
  CHECK(revision.exit_code == 2);
  CHECK_THAT(revision.err, Contains("unknown command 'revision'") && Contains("'new'") &&
                               Contains("commands: upgrade, downgrade"));
  auto typo = run_process({LINEAR_RUNNER, "--url", "x", "upgarde"}, base);
  CHECK(typo.exit_code == 2);
  CHECK_THAT(typo.err, Contains("unknown command 'upgarde'; did you mean 'upgrade'?"));
}

TEST_CASE("upgrade to a revision already applied does nothing and exits 0, as in Alembic",
          "[db][config]") {
  auto url = fresh_database("config_idempotent");
  REQUIRE(linear(url, {"upgrade"}).exit_code == 0);
  for (const char* target : {"rev_b", "rev_e", "head"}) {
    auto r = linear(url, {"upgrade", target});
    INFO(target << ": " << r.out << r.err);
    CHECK(r.exit_code == 0);
    CHECK_THAT(r.err, Contains("nothing to do"));
  }
  CHECK(column(url, "SELECT version_num FROM mt_linear_version") ==
        std::vector<std::string>{"rev_e"});
}

TEST_CASE(
    "check: an unknown revision in the database exits 3, and file:line lines start at column 0",
    "[db][config]") {
  auto url = fresh_database("config_check");
  REQUIRE(linear(url, {"upgrade"}).exit_code == 0);
  column(url,
         "UPDATE mt_linear_version_history SET checksum = 'abababababab' WHERE revision = "
         "'rev_b' AND direction = 'upgrade' RETURNING revision");
  auto edited = linear(url, {"check"});
  INFO(edited.out << edited.err);
  CHECK(edited.exit_code == 3);
  bool at_column_zero = false;
  std::istringstream lines(edited.out);
  for (std::string line; std::getline(lines, line);)
    if (line.find("002_rev_b_create_items.sql:") != std::string::npos)
      at_column_zero = line.find(": error: ") != std::string::npos && line[0] != ' ';
  CHECK(at_column_zero);

  column(url, "UPDATE mt_linear_version SET version_num = 'f00d' RETURNING version_num");
  auto unknown = linear(url, {"check"});
  INFO(unknown.out << unknown.err);
  CHECK(unknown.exit_code == 3);
  CHECK_THAT(unknown.out, Contains("revision 'f00d', which this runner does not contain"));
}

TEST_CASE("a migration whose upgrade section was never filled in is refused, unless empty true",
          "[db][config]") {
  auto url = fresh_database("config_unfilled");
  auto r = run_runner(UNFILLED_RUNNER, url, {"upgrade"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Contains("003_not_filled_in.sql:5: error: revision 'unf_c' has an empty "
                             "upgrade section") &&
                        Contains("-- migrate:empty true"));
  CHECK_FALSE(table_exists(url, "unfilled_notes"));  // nothing ran

  auto sql = run_runner(UNFILLED_RUNNER, url, {"upgrade", "--sql"});
  CHECK(sql.exit_code == 2);
  CHECK_THAT(sql.err, Contains("003_not_filled_in.sql:5: error:"));

  // The one that says so is applied.
  auto on_purpose = run_runner(UNFILLED_RUNNER, url, {"upgrade", "unf_b"});
  INFO(on_purpose.out << on_purpose.err);
  CHECK(on_purpose.exit_code == 0);
  CHECK(table_exists(url, "unfilled_notes"));
}

TEST_CASE("with --wait-for-db the runner retries until the database accepts connections",
          "[db][config]") {
  // A database that does not exist yet stands for a server still starting.
  auto admin = fresh_database("config_wait_admin");
  std::string name = "config_wait_late";
  std::string late = admin.substr(0, admin.find(":///") + 4) + name + admin.substr(admin.find('?'));
  {
    pqxx::connection c(admin);
    pqxx::nontransaction tx(c);
    tx.exec0("DROP DATABASE IF EXISTS " + c.quote_name(name));
  }
  auto at_once = linear(late, {"current"});
  CHECK(at_once.exit_code == 1);
  CHECK_THAT(at_once.err, Contains("cannot connect to"));

  auto short_wait = linear(late, {"--wait-for-db", "1s", "current"});
  CHECK(short_wait.exit_code == 1);
  CHECK_THAT(short_wait.err, Contains("waiting up to 1s") && Contains("within --wait-for-db 1s"));

  auto runner = start_process(
      {LINEAR_RUNNER, "--url", late, "--wait-for-db", "60s", "--connect-timeout", "5s", "upgrade"});
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  {
    pqxx::connection c(admin);
    pqxx::nontransaction tx(c);
    tx.exec0("CREATE DATABASE " + c.quote_name(name));
  }
  auto waited = finish_process(runner, 60);
  INFO(waited.out << waited.err);
  CHECK(waited.exit_code == 0);
  CHECK_THAT(waited.err, Contains("waiting up to 60s"));
  CHECK(column(late, "SELECT version_num FROM mt_linear_version") ==
        std::vector<std::string>{"rev_e"});
}

TEST_CASE(
    "a .env is read only when it is the user's: owned by them or root, not writable by "
    "others, a regular file of at most 1 MiB",
    "[db][config][security]") {
  auto url = fresh_database("dotenv_trust");
  std::string dir = fresh_directory("dotenv-trust");
  auto base = clean_environment("dotenv-trust");
  std::string env_path = dir + "/.env";
  write(env_path, "DATABASE_URL=" + url + "\n");
  auto ok = run_in(dir, {LINEAR_RUNNER, "current"}, base);
  INFO(ok.err);
  CHECK(ok.exit_code == 0);

  // Writable by group or others: someone else could send the password elsewhere.
  ::chmod(env_path.c_str(), 0664);
  auto shared = run_in(dir, {LINEAR_RUNNER, "upgrade"}, base);
  CHECK(shared.exit_code == 2);
  CHECK_THAT(shared.err,
             Contains("refusing the .env file '.env': it is writable by group or others") &&
                 Contains("chmod go-w '.env'"));
  CHECK_FALSE(table_exists(url, "accounts"));
  ::chmod(env_path.c_str(), 0644);

  // Someone else's file (root may make one, as a co-worker's would be).
  if (::geteuid() == 0) {
    REQUIRE(::chown(env_path.c_str(), 65534, 65534) == 0);
    auto foreign = run_in(dir, {LINEAR_RUNNER, "current"}, base);
    CHECK(foreign.exit_code == 2);
    CHECK_THAT(foreign.err, Contains("it belongs to user id 65534, not to you"));
    REQUIRE(::chown(env_path.c_str(), 0, 0) == 0);
  }

  // Not a regular file: a FIFO is refused, not waited on; /dev/zero is not read.
  std::filesystem::remove(env_path);
  REQUIRE(::mkfifo(env_path.c_str(), 0600) == 0);
  auto child = start_process(
      {"/bin/sh", "-c", "cd \"$1\" && shift && exec \"$@\"", "sh", dir, LINEAR_RUNNER, "current"},
      base);
  auto fifo = finish_process(child, 30);
  CHECK_FALSE(fifo.timed_out);
  CHECK(fifo.exit_code == 2);
  CHECK_THAT(fifo.err, Contains("it is not a regular file"));
  std::filesystem::remove(env_path);
  auto zero = run_in(dir, {LINEAR_RUNNER, "--env-file", "/dev/zero", "current"}, base);
  CHECK(zero.exit_code == 2);
  CHECK_THAT(zero.err, Contains("refusing the .env file '/dev/zero': it is not a regular file"));

  // Too big to be settings.
  write(env_path, "DATABASE_URL=" + url + "\n# " + std::string((1 << 20) + 10, 'x') + "\n");
  auto big = run_in(dir, {LINEAR_RUNNER, "current"}, base);
  CHECK(big.exit_code == 2);
  CHECK_THAT(big.err, Contains("more than the 1048576 bytes"));

  // Lines that double a value end in a clear error at the line, not in all the memory.
  std::string doubling = "A=" + std::string(1000, 'a') + "\n";
  for (char c = 'B'; c <= 'K'; ++c)
    doubling +=
        std::string(1, c) + "=${" + std::string(1, c - 1) + "}${" + std::string(1, c - 1) + "}\n";
  write(env_path, doubling);
  auto doubled = run_in(dir, {LINEAR_RUNNER, "current"}, base);
  CHECK(doubled.exit_code == 2);
  CHECK_THAT(doubled.err, Contains(".env:8: error: the value expands to more than 65536 bytes"));
}

TEST_CASE("the in-app migrator, given a URL, reads no .env", "[db][config][in_app][security]") {
  auto url = fresh_database("in_app_no_dotenv");
  std::string dir = fresh_directory("in-app-no-dotenv");
  // A .env that would be an error (and a URL elsewhere) if it were read.
  write(dir + "/.env", "DATABASE_URL=postgresql://elsewhere.invalid/x\nnot an assignment\n");
  auto r = run_in(dir, {SELF_MIGRATING_APP, url}, {});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK(column(url, "SELECT count(*) FROM notes") == std::vector<std::string>{"1"});
}
