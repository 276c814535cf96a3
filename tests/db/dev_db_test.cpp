#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>

#include "process.hpp"

using namespace migration_tools::test;

namespace {

// Stops the cluster however the test ends, so that no server outlives it.
struct dev_db_guard {
  std::string dir;
  ~dev_db_guard() {
    run_process({LINEAR_RUNNER, "dev-db", "stop"}, {{"MIGRATION_TOOLS_DEV_DB_DIR", dir}});
  }
};

}  // namespace

TEST_CASE("without a URL the runner starts a development database that stays up until dev-db stop",
          "[db]") {
  std::string dir = std::string(std::getenv("MIGRATION_TOOLS_TEST_PG_DIR")) + "-devdb";
  std::vector<std::pair<std::string, std::string>> env = {{"MIGRATION_TOOLS_DEV_DB_DIR", dir},
                                                          {"DATABASE_URL", ""},
                                                          {"CI", ""},
                                                          {"MIGRATE_NO_DEV_DB", ""},
                                                          {"PGHOST", ""},
                                                          {"PGDATABASE", ""},
                                                          {"PGPORT", ""}};
  dev_db_guard guard{dir};
  run_process({LINEAR_RUNNER, "dev-db", "stop"}, env);
  CHECK(run_process({LINEAR_RUNNER, "dev-db", "status"}, env).exit_code == 3);

  // A PGPORT of the caller's moves neither the server it starts nor later runs.
  auto with_port = env;
  with_port.emplace_back("PGPORT", "6543");
  auto up = run_process({LINEAR_RUNNER, "upgrade"}, with_port);
  INFO(up.out << up.err);
  REQUIRE(up.exit_code == 0);
  CHECK(up.err.find("using the development database") != std::string::npos);
  CHECK(::access((dir + "/data/PG_VERSION").c_str(), F_OK) == 0);

  auto status = run_process({LINEAR_RUNNER, "dev-db", "status"}, env);
  CHECK(status.exit_code == 0);
  CHECK(status.out.find("running") == 0);
  // It stayed up, and remembers what was applied.
  CHECK(run_process({LINEAR_RUNNER, "current"}, env).out == "rev_e (head)\n");
  auto url = run_process({LINEAR_RUNNER, "dev-db", "url"}, env);
  CHECK(url.out.find("postgresql:///mt_linear?host=") == 0);

  auto stopped = run_process({LINEAR_RUNNER, "dev-db", "stop"}, env);
  REQUIRE(stopped.exit_code == 0);
  // Every runner of the build tree shares the cluster: the message says so.
  CHECK(stopped.err.find("the one cluster of every runner of this build tree") !=
        std::string::npos);
  CHECK(run_process({LINEAR_RUNNER, "dev-db", "status"}, env).exit_code == 3);
}
