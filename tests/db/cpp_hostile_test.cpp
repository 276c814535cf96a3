// Issue 17, items 5 and 6: a C++ migration that calls exit() or throws
// something that is not a std::exception is that migration's failure: named
// at its file and line, recorded, exit code 1, nothing of it applied and
// nothing after it run.
#include <catch2/catch.hpp>

#include "runners.hpp"
#include "test_database.hpp"

using namespace migration_tools::test;

TEST_CASE("a C++ migration that calls exit() or throws a non-exception fails the run at its line",
          "[db][safety]") {
  for (const std::string how : {"exit", "throw"}) {
    INFO(how);
    std::string url = fresh_database("cpp_hostile_" + how);
    auto r = run_process({CPP_HOSTILE_RUNNER, "--url", url, "--color", "never", "upgrade"},
                         {{"MT_CPP_HOSTILE", how}});
    CAPTURE(r.err);
    CHECK(r.exit_code == 1);
    CHECK(r.err.find("tests/db/fixtures/cpp_hostile/002_ch_b_careless.cpp:9: error: C++ "
                     "migration 'ch_b' ") != std::string::npos);
    CHECK(r.err.find(how == "exit" ? "called exit() while it ran" : "not a std::exception") !=
          std::string::npos);
    CHECK(column(url, "SELECT string_agg(version_num, ',') FROM mt_cpp_hostile_version").at(0) ==
          "ch_a");
    CHECK(column(url, "SELECT count(*) FROM ch_rows").at(0) == "0");
    CHECK(column(url,
                 "SELECT string_agg(revision || ':' || direction, ',' ORDER BY id)"
                 " FROM mt_cpp_hostile_version_history")
              .at(0) == "ch_a:upgrade,ch_b:failure");
  }
  // Without the careless part it upgrades to the head.
  std::string url = fresh_database("cpp_hostile_fine");
  CHECK(run_runner(CPP_HOSTILE_RUNNER, url, {"upgrade"}).exit_code == 0);
  CHECK(column(url, "SELECT count(*) FROM ch_rows").at(0) == "2");
}
