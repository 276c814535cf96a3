// Issue 30, items 2 and 6: what the scratch server holds is trusted only when
// it is ours. A head-state cache planted by another role under the
// predictable name is ignored (and said so), never dropped nor disconnected;
// scratch databases of runners that are gone are swept; under CI the
// development cluster is not started as the scratch server.
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <memory>
#include <pqxx/pqxx>

#include "../db/process.hpp"
#include "../db/test_database.hpp"

using namespace migration_tools::test;
using Catch::Matchers::Contains;

namespace {

// Creates nothing: tests of this file run in parallel.
std::string admin_url() {
  return cluster_admin_url();
}

// postgresql:///DB?host=DIR&user=postgres with another database or role.
std::string with_database(std::string url, const std::string& name) {
  auto start = url.find(":///") + 4;
  return url.replace(start, url.find('?') - start, name);
}
std::string as_role(std::string url, const std::string& role) {
  return url.replace(url.find("user=postgres"), 13, "user=" + role);
}

void ensure_planter(const std::string& admin) {
  column(admin,
         "DO $$ BEGIN CREATE ROLE mt_planter LOGIN CREATEDB; EXCEPTION WHEN duplicate_object "
         "THEN NULL; END $$");
}

bool database_exists(const std::string& admin, const std::string& name) {
  return column(admin, "SELECT count(*) FROM pg_database WHERE datname = '" + name + "'").at(0) ==
         "1";
}

// The head-state cache of this fixture, owned by the test's role: the one
// holding its table.
std::string our_cache(const std::string& admin) {
  for (const auto& name :
       column(admin,
              "SELECT datname FROM pg_database WHERE datname LIKE 'mt\\_head\\_%' AND "
              "pg_get_userbyid(datdba) = current_user"))
    if (column(with_database(admin, name),
               "SELECT to_regclass('public.planted_fixture_items') IS NOT NULL")
            .at(0) == "t")
      return name;
  return "";
}

pid_t a_dead_pid() {
  pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  int status = 0;
  ::waitpid(child, &status, 0);
  return child;
}

std::string this_host() {
  char name[256] = {};
  ::gethostname(name, sizeof name - 1);
  return name;
}

}  // namespace

TEST_CASE(
    "a head-state cache planted by another role is ignored, and no database of that role "
    "is dropped or disconnected",
    "[autogenerate][db][security]") {
  std::string admin = admin_url();
  ensure_planter(admin);
  std::vector<std::pair<std::string, std::string>> env{{"MIGRATE_DEV_URL", admin}};
  auto first = run_process({PLANTED_RUNNER, "diff"}, env);
  INFO(first.out << first.err);
  REQUIRE(first.exit_code == 0);
  std::string name = our_cache(admin);
  REQUIRE_FALSE(name.empty());
  std::string key = name.substr(name.rfind('_') + 1);

  // Another role takes the name, with a state that is not what the
  // migrations make and the runner's marker copied, and an "older state"
  // of the same scope that it keeps a session on.
  column(admin, "DROP DATABASE " + name + " WITH (FORCE)");
  std::string planter = as_role(admin, "mt_planter");
  std::string older = name.substr(0, name.rfind('_') + 1) + "00000000000000000000";
  column(admin, "DROP DATABASE IF EXISTS " + older + " WITH (FORCE)");
  for (const auto& db : {name, older}) {
    column(planter, "CREATE DATABASE " + db);
    column(planter, "COMMENT ON DATABASE " + db + " IS 'migration_tools head state " + key + "'");
    column(
        with_database(planter, db),
        "CREATE TABLE planted_fixture_items (id int PRIMARY KEY, note text, planted_column int)");
  }
  auto held = std::make_unique<pqxx::connection>(with_database(planter, older));

  auto diff = run_process({PLANTED_RUNNER, "diff"}, env);
  auto dump = run_process({PLANTED_RUNNER, "dump"}, env);
  std::string target = fresh_database("scratch_trust_check");
  auto up = run_process({PLANTED_RUNNER, "--url", target, "upgrade"}, env);
  auto check = run_process({PLANTED_RUNNER, "--url", target, "check"}, env);
  INFO(diff.out << diff.err << dump.out << dump.err << check.out << check.err);
  CHECK(diff.exit_code == 0);
  CHECK(dump.exit_code == 0);
  CHECK(up.exit_code == 0);
  for (const auto* r : {&diff, &dump, &check}) {
    CHECK_THAT(r->err, Contains("ignoring the head-state cache " + name +
                                " on the scratch server: it belongs to another role"));
    CHECK(r->out.find("planted_column") == std::string::npos);
  }
  // What the migrations make: no note column yet.
  CHECK_THAT(diff.out, Contains("ADD COLUMN note text"));
  CHECK(dump.out.find("note") == std::string::npos);
  CHECK_THAT(check.out + check.err, Contains("note"));

  CHECK(database_exists(admin, name));
  CHECK(database_exists(admin, older));
  CHECK(pqxx::nontransaction(*held).exec1("SELECT 1")[0].as<int>() == 1);

  // With the name free again, a run keeps its own cache, and still drops no
  // older state of another role.
  column(admin, "DROP DATABASE " + name + " WITH (FORCE)");
  auto again = run_process({PLANTED_RUNNER, "diff"}, env);
  CHECK(again.exit_code == 0);
  CHECK(again.err.find("ignoring") == std::string::npos);
  CHECK(our_cache(admin) == name);
  CHECK(database_exists(admin, older));
  CHECK(pqxx::nontransaction(*held).exec1("SELECT 1")[0].as<int>() == 1);
  held.reset();
  column(admin, "DROP DATABASE " + older + " WITH (FORCE)");
}

TEST_CASE("a run drops the scratch databases that runners gone from this host left behind",
          "[autogenerate][db]") {
  std::string admin = admin_url();
  std::string host = this_host();
  struct left_behind {
    std::string name;
    std::string comment;
    bool swept;
  };
  std::vector<left_behind> cases = {
      {"mt_scratch_1_deadrunner", "pid " + std::to_string(a_dead_pid()) + " on " + host, true},
      {"mt_scratch_1_liverunner", "pid " + std::to_string(::getpid()) + " on " + host, false},
      {"mt_scratch_1_otherhost", "pid " + std::to_string(a_dead_pid()) + " on another-" + host,
       false}};
  for (const auto& c : cases) {
    column(admin, "DROP DATABASE IF EXISTS " + c.name);
    column(admin, "CREATE DATABASE " + c.name);
    column(admin,
           "COMMENT ON DATABASE " + c.name + " IS 'migration_tools scratch of " + c.comment + "'");
  }
  auto r = run_process({PLANTED_RUNNER, "--no-cache", "dump"}, {{"MIGRATE_DEV_URL", admin}});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  for (const auto& c : cases) {
    INFO(c.name);
    CHECK(database_exists(admin, c.name) == !c.swept);
    column(admin, "DROP DATABASE IF EXISTS " + c.name);
  }
}

TEST_CASE(
    "under CI or --no-dev-db, diff, dump and check do not start the development cluster "
    "as their scratch server",
    "[autogenerate][db][config]") {
  auto dev_dir = std::filesystem::temp_directory_path() / "mt-scratch-no-dev-db";
  std::filesystem::remove_all(dev_dir);
  std::string target = fresh_database("scratch_no_dev_db");
  const std::vector<
      std::pair<std::vector<std::string>, std::vector<std::pair<std::string, std::string>>>>
      runs = {{{"diff"}, {{"CI", "1"}}},
              {{"dump"}, {{"MIGRATE_NO_DEV_DB", "1"}}},
              {{"--no-dev-db", "--url", target, "check"}, {}}};
  for (auto [args, env] : runs) {
    args.insert(args.begin(), PLANTED_RUNNER);
    env.emplace_back("MIGRATE_DEV_URL", "");
    env.emplace_back("MIGRATION_TOOLS_DEV_DB_DIR", dev_dir.string());
    auto r = run_process(args, env);
    INFO(args.back() << ": " << r.out << r.err);
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Contains("no scratch server: give --dev-url or MIGRATE_DEV_URL"));
    CHECK_FALSE(std::filesystem::exists(dev_dir));
  }
}

TEST_CASE(
    "replaying the history on a scratch database prints the server's warnings but not its "
    "notices, unless -v",
    "[autogenerate][db]") {
  std::vector<std::pair<std::string, std::string>> env{{"MIGRATE_DEV_URL", admin_url()}};
  auto quiet = run_process({PLANTED_RUNNER, "--no-cache", "diff"}, env);
  INFO(quiet.err);
  CHECK(quiet.exit_code == 0);
  CHECK(quiet.err.find("planted fixture notice") == std::string::npos);
  CHECK(quiet.err.find("planted fixture warning") != std::string::npos);
  auto verbose = run_process({PLANTED_RUNNER, "-v", "--no-cache", "diff"}, env);
  INFO(verbose.err);
  CHECK(verbose.exit_code == 0);
  CHECK(verbose.err.find("planted fixture notice") != std::string::npos);
}
