// Issue 17, items 1 and 2: the development database trusts every local
// connection, so its folders must be private to the account that runs the
// server, and a root runner must never follow that account's links.
// As root the test makes a second account (mt_intruder) to play the other
// local user; otherwise it plays it with its own account's looser modes.
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "process.hpp"

using namespace migration_tools::test;
namespace fs = std::filesystem;

namespace {

const char* intruder = "mt_intruder";

struct dev_db_guard {
  std::string dir;
  ~dev_db_guard() {
    run_process({LINEAR_RUNNER, "dev-db", "stop"}, {{"MIGRATION_TOOLS_DEV_DB_DIR", dir}});
  }
};

std::vector<std::pair<std::string, std::string>> env_for(const std::string& dir) {
  return {{"MIGRATION_TOOLS_DEV_DB_DIR", dir},
          {"DATABASE_URL", ""},
          {"CI", ""},
          {"MIGRATE_NO_DEV_DB", ""}};
}

bool is_root() {
  return ::geteuid() == 0;
}

// Runs a shell command as the intruder (root only).
int as_intruder(const std::string& command) {
  return run_process({"/usr/sbin/runuser", "-u", intruder, "--", "sh", "-c", command}).exit_code;
}

void make_intruder() {
  run_process(
      {"/usr/sbin/useradd", "--system", "--no-create-home", "--shell", "/bin/sh", intruder});
  REQUIRE(run_process({"/usr/bin/id", intruder}).exit_code == 0);
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  while (!text.empty() && text.back() == '\n') text.pop_back();
  return text;
}

unsigned mode_of(const std::string& path) {
  struct stat st {};
  REQUIRE(::lstat(path.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

}  // namespace

TEST_CASE("a deep build tree's socket goes to a private directory nobody could predict",
          "[db][safety]") {
  std::string base = std::string(std::getenv("MIGRATION_TOOLS_TEST_PG_DIR")) + "-deep-";
  std::string dir = base + std::string(100, 'd') + "/dev-db";
  fs::remove_all(base + std::string(100, 'd'));
  dev_db_guard guard{dir};
  auto up = run_process({LINEAR_RUNNER, "upgrade"}, env_for(dir));
  INFO(up.out << up.err);
  REQUIRE(up.exit_code == 0);
  std::string socket = read_text(dir + ".socket-directory");
  CHECK(socket.rfind("/mt-pg-") != std::string::npos);
  CHECK(socket.find("/migration_tools-") == std::string::npos);  // the old predictable name
  CHECK(mode_of(socket) == 0700);
  CHECK(mode_of(dir) == 0700);
  struct stat st {};
  REQUIRE(::stat(socket.c_str(), &st) == 0);
  struct stat cluster {};
  REQUIRE(::stat((dir + "/data").c_str(), &cluster) == 0);
  CHECK(st.st_uid == cluster.st_uid);  // the server's account, postgres in a root run
  CHECK(run_process({LINEAR_RUNNER, "current"}, env_for(dir)).out == "rev_e (head)\n");

  // A socket directory named in the note that another account could use is refused.
  REQUIRE(run_process({LINEAR_RUNNER, "dev-db", "stop"}, env_for(dir)).exit_code == 0);
  std::string loose = "/tmp/mt-loose-socket-" + std::to_string(::getpid());
  fs::remove_all(loose);
  fs::create_directory(loose);
  ::chmod(loose.c_str(), 0777);
  if (is_root()) {
    make_intruder();
    fs::remove_all(loose);
    REQUIRE(as_intruder("mkdir -m 0777 '" + loose + "'") == 0);
  }
  std::ofstream(dir + ".socket-directory") << loose << "\n";
  auto refused = run_process({LINEAR_RUNNER, "upgrade"}, env_for(dir));
  CHECK(refused.exit_code == 1);
  CHECK(refused.err.find("refusing the development database's socket directory '" + loose + "'") !=
        std::string::npos);
  CHECK_FALSE(fs::exists(loose + "/.s.PGSQL.5432"));
  fs::remove_all(loose);
  fs::remove(dir + ".socket-directory");
  fs::remove_all(socket);
}

TEST_CASE(
    "a development database folder made by another account, or open to others, is refused "
    "or tightened",
    "[db][safety]") {
  std::string base = std::string(std::getenv("MIGRATION_TOOLS_TEST_PG_DIR")) + "-planted";
  fs::remove_all(base);
  fs::create_directories(base);
  ::chmod(base.c_str(), 0755);
  std::string dir = base + "/dev-db";
  dev_db_guard guard{dir};
  if (is_root()) {
    // Another local user makes the folder first, open to everyone.
    make_intruder();
    ::chmod(base.c_str(), 0777);
    REQUIRE(as_intruder("mkdir -m 0777 '" + dir + "'") == 0);
    auto r = run_process({LINEAR_RUNNER, "upgrade"}, env_for(dir));
    INFO(r.out << r.err);
    CHECK(r.exit_code == 1);
    CHECK(r.err.find("refusing the development database directory '" + dir +
                     "': it belongs to mt_intruder") != std::string::npos);
    CHECK_FALSE(fs::exists(dir + "/data"));
    fs::remove_all(dir);
    ::chmod(base.c_str(), 0755);
  }
  // The runner's own folder with a loose mode (an older version, a umask)
  // is tightened, and the cluster works.
  fs::create_directory(dir);
  ::chmod(dir.c_str(), 0777);
  if (is_root()) REQUIRE(run_process({"/usr/bin/chown", "postgres:", dir}).exit_code == 0);
  auto up = run_process({LINEAR_RUNNER, "upgrade"}, env_for(dir));
  INFO(up.out << up.err);
  CHECK(up.exit_code == 0);
  CHECK(mode_of(dir) == 0700);
  CHECK(mode_of(dir + "/socket") == 0700);
}

TEST_CASE("a root runner follows none of the server account's links to its logs", "[db][safety]") {
  if (!is_root()) {
    // Without root the runner and the server are one account: nothing to cross.
    SUCCEED("not root: the runner and the server share an account");
    return;
  }
  std::string dir = std::string(std::getenv("MIGRATION_TOOLS_TEST_PG_DIR")) + "-links/dev-db";
  fs::remove_all(fs::path(dir).parent_path());
  dev_db_guard guard{dir};
  auto env = env_for(dir);
  REQUIRE(run_process({LINEAR_RUNNER, "dev-db", "start"}, env).exit_code == 0);
  REQUIRE(run_process({LINEAR_RUNNER, "dev-db", "stop"}, env).exit_code == 0);
  // A root-only file, and the postgres account's links to it in place of
  // the logs; then a start that fails (a broken setting).
  std::string secret = fs::path(dir).parent_path().string() + "/root-only";
  std::ofstream(secret) << "ROOT-ONLY-CONTENT\n";
  ::chmod(secret.c_str(), 0600);
  for (const char* log : {"server.log", "pg_ctl.log", "initdb.log"}) {
    fs::remove(dir + "/" + log);
    REQUIRE(run_process(
                {"/usr/sbin/runuser", "-u", "postgres", "--", "ln", "-s", secret, dir + "/" + log})
                .exit_code == 0);
  }
  REQUIRE(run_process({"/usr/sbin/runuser", "-u", "postgres", "--", "sh", "-c",
                       "echo 'shared_buffers = nonsense' >> '" + dir + "/data/postgresql.conf'"})
              .exit_code == 0);
  auto r = run_process({LINEAR_RUNNER, "upgrade"}, env);
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("did not start") != std::string::npos);
  CHECK(r.err.find("ROOT-ONLY-CONTENT") == std::string::npos);
  CHECK(read_text(secret) == "ROOT-ONLY-CONTENT");  // nothing appended
}
