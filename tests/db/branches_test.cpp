#include <catch2/catch.hpp>

#include "runners.hpp"
#include "test_database.hpp"

using namespace migration_tools::test;

namespace {
std::vector<std::string> versions(const std::string& url) {
  return column(url, "SELECT version_num FROM mt_branches_version ORDER BY 1");
}
}  // namespace

TEST_CASE("'head' with several heads is an error naming them", "[db]") {
  auto url = fresh_database("br_head");
  auto r = run_runner(BRANCHES_RUNNER, url, {"upgrade", "head"});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("several heads ('br_left', 'br_right')") != std::string::npos);
  CHECK_FALSE(table_exists(url, "root_table"));
}

TEST_CASE("upgrade heads applies both branches and keeps one version row per head", "[db]") {
  auto url = fresh_database("br_heads");
  auto r = run_runner(BRANCHES_RUNNER, url, {"upgrade", "heads"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(versions(url) == std::vector<std::string>{"br_left", "br_right"});

  SECTION("downgrade -1 from two heads is an error naming them") {
    auto down = run_runner(BRANCHES_RUNNER, url, {"downgrade", "-1"});
    CHECK(down.exit_code == 2);
    CHECK(down.err.find("'br_left', 'br_right'") != std::string::npos);
    CHECK(versions(url) == std::vector<std::string>{"br_left", "br_right"});
  }
  SECTION("downgrading one branch to the root leaves the other head") {
    REQUIRE(run_runner(BRANCHES_RUNNER, url, {"downgrade", "br_root"}).exit_code == 0);
    CHECK(versions(url) == std::vector<std::string>{"br_root"});
    REQUIRE(run_runner(BRANCHES_RUNNER, url, {"upgrade", "br_left"}).exit_code == 0);
    CHECK(versions(url) == std::vector<std::string>{"br_left"});
    REQUIRE(run_runner(BRANCHES_RUNNER, url, {"upgrade", "right"}).exit_code == 0);
    CHECK(versions(url) == std::vector<std::string>{"br_left", "br_right"});
  }
}
