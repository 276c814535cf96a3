// The runner's side of autogenerate: scratch databases never outlive a run,
// however it ends, and what diff, dump and a bad scratch server print.
#include <pwd.h>
#include <signal.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <thread>

#include "../db/process.hpp"
#include "../db/test_database.hpp"

using namespace migration_tools::test;

namespace {

// Creates nothing: tests of this file run in parallel.
std::string admin_url() {
  return cluster_admin_url();
}

int scratch_databases_of(pid_t pid) {
  return std::stoi(column(admin_url(),
                          "SELECT count(*) FROM pg_database WHERE datname LIKE "
                          "'mt\\_scratch\\_" +
                              std::to_string(pid) + "\\_%'")
                       .at(0));
}

// The user libpq connects as when a URL names none: PGUSER, else the
// operating system's user.
std::string os_user() {
  const char* pguser = std::getenv("PGUSER");
  if (pguser && *pguser) return pguser;
  const passwd* pw = ::getpwuid(::geteuid());
  return pw ? pw->pw_name : "";
}

bool eventually(const std::function<bool()>& condition, int seconds) {
  for (int i = 0; i < seconds * 10; ++i) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return condition();
}

// `whole_group`: the signal goes to the runner's whole process group (a CI
// cancel, docker stop), the runner started by setsid as its leader.
void interrupted_run_leaves_nothing(int signal, bool whole_group = false) {
  std::string admin = admin_url();
  std::vector<std::string> args{SLEEPY_RUNNER, "--no-cache", "diff"};
  if (whole_group) args.insert(args.begin(), "/usr/bin/setsid");
  auto child = start_process(args, {{"MIGRATE_DEV_URL", admin}, {"PGOPTIONS", "-c mt.sleep=on"}});
  // Both sides are on the server, and this runner's history is replaying (the
  // other tests of this file run their own runners meanwhile: only this pid's
  // scratch databases count).
  std::string mine = "'mt\\_scratch\\_" + std::to_string(child.pid) + "\\_%'";
  bool started = eventually(
      [&] {
        return column(admin,
                      "SELECT count(*) FROM pg_stat_activity WHERE query LIKE "
                      "'%pg_sleep(CASE%' AND datname LIKE " +
                          mine)
                   .at(0) != "0";
      },
      30);
  int during = scratch_databases_of(child.pid);
  ::kill(whole_group ? -child.pid : child.pid, signal);
  auto r = finish_process(child, 30);
  INFO(r.out << r.err);
  REQUIRE(started);
  CHECK(during == 2);
  CHECK(r.exit_code == 128 + signal);
  CHECK(eventually([&] { return scratch_databases_of(child.pid) == 0; }, 15));
}

}  // namespace

TEST_CASE("scratch databases are dropped when the runner is interrupted (SIGINT)",
          "[autogenerate][db]") {
  interrupted_run_leaves_nothing(SIGINT);
}

TEST_CASE("scratch databases are dropped when the runner is killed (SIGKILL)",
          "[autogenerate][db]") {
  interrupted_run_leaves_nothing(SIGKILL);
}

TEST_CASE("scratch databases are dropped when the runner's whole process group is killed",
          "[autogenerate][db]") {
  interrupted_run_leaves_nothing(SIGKILL, true);
}

TEST_CASE(
    "diff prints the change as SQL and as JSON, dump prints the head state, and a run "
    "leaves no scratch database",
    "[autogenerate][db]") {
  std::string admin = admin_url();
  std::vector<std::pair<std::string, std::string>> env{{"MIGRATE_DEV_URL", admin}};
  // Each run's pid: other tests make scratch databases on the same server
  // meanwhile, so only this test's runs are counted at the end.
  std::vector<pid_t> runs;
  auto run_process = [&](const std::vector<std::string>& args,
                         const std::vector<std::pair<std::string, std::string>>& with) {
    auto child = start_process(args, with);
    runs.push_back(child.pid);
    return finish_process(child, 120);
  };
  auto sql = run_process({SLEEPY_RUNNER, "diff"}, env);
  INFO(sql.out << sql.err);
  REQUIRE(sql.exit_code == 0);
  CHECK(sql.out.find("ALTER TABLE public.items ADD COLUMN note text;") != std::string::npos);
  CHECK(sql.out.find("-- hazard: scans all of public.items") != std::string::npos);
  CHECK(sql.err.find("detected made column 'public.items.name' NOT NULL") != std::string::npos);

  auto json = run_process({SLEEPY_RUNNER, "--format", "json", "diff", "schema", "migrations"}, env);
  REQUIRE(json.exit_code == 0);
  auto parsed = nlohmann::json::parse(json.out);
  CHECK(parsed["from"] == "schema");
  CHECK(parsed["changes"].size() == 2);
  CHECK(parsed["statements"].size() == 2);
  CHECK(parsed["statements"][0]["sql"] == "ALTER TABLE public.items DROP COLUMN note;");

  // The head state is kept after a replay: the next run reads it, unless told not to.
  auto cached = run_process({SLEEPY_RUNNER, "diff"}, env);
  CHECK(cached.err.find("applied the migrations to a scratch database") == std::string::npos);
  auto replayed = run_process({SLEEPY_RUNNER, "--no-cache", "diff"}, env);
  CHECK(replayed.err.find("applied the migrations to a scratch database") != std::string::npos);
  CHECK(replayed.out == cached.out);

  auto dump = run_process({SLEEPY_RUNNER, "dump"}, env);
  REQUIRE(dump.exit_code == 0);
  CHECK(dump.out.find("CREATE TABLE public.items (\n    id integer NOT NULL,\n    name text\n);") !=
        std::string::npos);
  CHECK(dump.out.find("ADD CONSTRAINT items_pkey PRIMARY KEY (id);") != std::string::npos);
  // --output /dev/stdout writes to the descriptor in place, never replaces it.
  auto to_stdout = run_process({SLEEPY_RUNNER, "dump", "--output", "/dev/stdout"}, env);
  INFO(to_stdout.err);
  CHECK(to_stdout.exit_code == 0);
  CHECK(to_stdout.out == dump.out);
  for (pid_t pid : runs) CHECK(scratch_databases_of(pid) == 0);
}

TEST_CASE("an unreachable scratch server is an error naming where its URL came from",
          "[autogenerate][db]") {
  auto r = run_process({SLEEPY_RUNNER, "diff"},
                       {{"MIGRATE_DEV_URL", "postgresql:///x?host=/nonexistent/socket/dir"}});
  CHECK(r.exit_code == 1);
  // Shown as every URL is, with the user libpq fills in (the OS user's).
  CHECK(r.err.find("cannot connect to the scratch server postgresql://" + os_user() +
                   "@/x?host=/nonexistent/socket/dir (from MIGRATE_DEV_URL)") != std::string::npos);
}

TEST_CASE("diff between two databases names the side it could not connect to",
          "[autogenerate][db]") {
  std::string admin = admin_url();
  std::string unreachable = "postgresql:///x?host=/nonexistent/socket/dir";
  auto from = run_process({SLEEPY_RUNNER, "diff", unreachable, admin});
  INFO(from.err);
  CHECK(from.exit_code == 1);
  CHECK(from.err.find("cannot connect to the FROM database, postgresql://" + os_user() +
                      "@/x?host=/nonexistent/socket/dir") != std::string::npos);
  CHECK(from.err.find("lost the connection") == std::string::npos);
  auto to = run_process({SLEEPY_RUNNER, "diff", admin, unreachable});
  CHECK(to.exit_code == 1);
  CHECK(to.err.find("cannot connect to the TO database") != std::string::npos);
}
