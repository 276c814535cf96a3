// Many targets in one run (issue 36): a fleet where one database is down and
// one has a failing migration, resumed once they are mended; --canary and
// --fail-fast; a URLs file; 50 tenant schemas in one database.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "fleet_servers.hpp"
#include "test_database.hpp"

using namespace migration_tools::test;
using Catch::Matchers::Contains;

namespace {

std::string work_file(const std::string& name) {
  std::filesystem::create_directories(TEST_WORK_DIR);
  std::string path = std::string(TEST_WORK_DIR) + "/" + name;
  std::filesystem::remove(path);
  return path;
}

nlohmann::json json_of(const process_result& r) {
  INFO(r.out << r.err);
  REQUIRE_NOTHROW(nlohmann::json::parse(r.out));
  return nlohmann::json::parse(r.out);
}

}  // namespace

TEST_CASE(
    "a fleet migrates the databases it can, reports one down and one failing, and --resume "
    "finishes once they are mended") {
  auto a = fresh_database("fleet_a");
  auto b = fresh_database("fleet_b");
  auto c = fresh_database("fleet_c");
  execute(b, "CREATE TABLE poison ()");
  extra_cluster down_server("down");
  auto d = down_server.url("fleet_d");
  down_server.act("halt");
  // A password on one URL (the cluster trusts, and ignores it): never shown.
  auto c_with_password = c + "&password=sekrit-fleet-pw";
  auto state = work_file("fleet_state.json");

  auto first = fleet_runner({"--url", a, "--url", b, "--url", c_with_password, "--url", d,
                             "--state", state, "--jobs", "2", "--format", "json", "upgrade"});
  CHECK(first.exit_code == 1);
  auto report = json_of(first);
  REQUIRE(report["targets"].size() == 4);
  CHECK(report["exit_code"] == 1);
  CHECK(report["targets"][0]["result"] == "ok");
  CHECK(report["targets"][0]["to"] == nlohmann::json::array({fleet_head}));
  CHECK(report["targets"][0]["steps"] == 4);
  CHECK(report["targets"][1]["result"] == "failed");
  CHECK_THAT(report["targets"][1]["message"].get<std::string>(), Contains("poisoned"));
  CHECK(report["targets"][2]["result"] == "ok");
  CHECK(report["targets"][3]["result"] == "failed");
  CHECK_THAT(report["targets"][3]["message"].get<std::string>(), Contains("cannot connect"));
  CHECK(version_of(a) == fleet_head);
  CHECK(version_of(b) == "fleet_1");  // what ran before the failure stays
  CHECK(version_of(c) == fleet_head);
  std::string state_text;
  {
    std::ifstream in(state);
    state_text.assign(std::istreambuf_iterator<char>(in), {});
  }
  for (const auto& text : {first.out, first.err, state_text})
    CHECK(text.find("sekrit-fleet-pw") == std::string::npos);

  // Mended: the poison is gone and the server is back.
  execute(b, "DROP TABLE poison");
  down_server.act("restart");
  auto second = fleet_runner({"--url", a, "--url", b, "--url", c_with_password, "--url", d,
                              "--state", state, "upgrade", "--resume"});
  INFO(second.out << second.err);
  CHECK(second.exit_code == 0);
  CHECK_THAT(second.out, Contains("4 targets: 2 ok, 0 failed, 2 done before"));
  for (const auto& url : {a, b, c, d}) {
    CHECK(version_of(url) == fleet_head);
    CHECK(upgrade_counts(url) == fleet_each_once);
  }
  // A resume of another goal is refused, the state file named.
  auto other =
      fleet_runner({"--url", a, "--url", b, "--state", state, "upgrade", "fleet_2", "--resume"});
  CHECK(other.exit_code == 2);
  CHECK_THAT(other.err, Contains("fleet_state.json") && Contains("upgrade head"));
}

TEST_CASE(
    "a canary: --canary stops the fleet when its first targets fail, and --fail-fast starts no "
    "other target after a failure") {
  auto a = fresh_database("fleet_canary_a");
  auto b = fresh_database("fleet_canary_b");
  auto c = fresh_database("fleet_canary_c");
  execute(a, "CREATE TABLE poison ()");
  auto canary = fleet_runner(
      {"--url", a, "--url", b, "--url", c, "--canary", "1", "--format", "json", "upgrade"});
  CHECK(canary.exit_code == 1);
  auto report = json_of(canary);
  CHECK(report["targets"][0]["result"] == "failed");
  CHECK(report["targets"][1]["result"] == "not run");
  CHECK(report["targets"][2]["result"] == "not run");
  CHECK_FALSE(table_exists(b, "mt_fleet_version"));
  CHECK_FALSE(table_exists(c, "mt_fleet_version"));

  auto fast =
      fleet_runner({"--url", a, "--url", b, "--url", c, "--jobs", "1", "--fail-fast", "upgrade"});
  INFO(fast.out << fast.err);
  CHECK(fast.exit_code == 1);
  CHECK_THAT(fast.err, Contains("not started after a failure (--fail-fast)"));
  CHECK_FALSE(table_exists(c, "mt_fleet_version"));

  // Without them every target is tried; the worst exit code is the run's.
  auto all = fleet_runner({"--url", a, "--url", b, "--url", c, "upgrade"});
  CHECK(all.exit_code == 1);
  CHECK(version_of(b) == fleet_head);
  CHECK(version_of(c) == fleet_head);
  auto check = fleet_runner({"--url", a, "--url", b, "--format", "json", "check"});
  CHECK(check.exit_code == 3);
  auto checked = json_of(check);
  CHECK(checked["targets"][0]["result"] == "failed");
  CHECK_THAT(checked["targets"][0]["message"].get<std::string>(), Contains("behind"));
  CHECK(checked["targets"][1]["result"] == "ok");
}

TEST_CASE("a URLs file lists the fleet, with comments, and a bad line is named by file and line") {
  auto a = fresh_database("fleet_file_a");
  auto b = fresh_database("fleet_file_b");
  auto path = work_file("fleet_urls.txt");
  {
    std::ofstream out(path);
    out << "# the fleet\n" << a << "\n\n   " << b << "   # the second\n";
  }
  std::filesystem::permissions(
      path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  auto r = fleet_runner({"--urls-file", path, "-q", "upgrade"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK(version_of(a) == fleet_head);
  CHECK(version_of(b) == fleet_head);
  auto current = fleet_runner({"--urls-file", path, "current"});
  CHECK(current.exit_code == 0);
  CHECK_THAT(current.out, Contains("2 targets: 2 ok"));

  {
    std::ofstream out(path);
    out << a << "\n# fine\nhost=elsewhere dbname=x\n";
  }
  auto bad = fleet_runner({"--urls-file", path, "upgrade"});
  CHECK(bad.exit_code == 2);
  CHECK_THAT(bad.err, Contains("fleet_urls.txt:3: error:"));
}

TEST_CASE(
    "schema per tenant: 50 tenant schemas listed by a query, each with its own "
    "bookkeeping, migrated in one database") {
  auto url = fresh_database("fleet_tenants");
  auto r = fleet_runner({"--url", url, "--tenant-schemas-from",
                         "SELECT 'tenant_' || g FROM generate_series(1, 50) g", "--jobs", "4",
                         "--format", "json", "upgrade"});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  auto report = json_of(r);
  REQUIRE(report["targets"].size() == 50);
  for (const auto& t : report["targets"]) CHECK(t["result"] == "ok");
  for (int i : {1, 17, 50}) {
    std::string schema = "tenant_" + std::to_string(i);
    CHECK(version_of(url, schema) == fleet_head);
    CHECK(upgrade_counts(url, schema) == fleet_each_once);
    // The tenant's tables are in its schema: it was first on the search_path.
    CHECK(column(url, "SELECT to_regclass('" + schema + ".ledger') IS NOT NULL").front() == "t");
  }
  CHECK(column(url, "SELECT to_regclass('public.ledger') IS NULL").front() == "t");
  // Named ones, and a downgrade of them all.
  auto down = fleet_runner({"--url", url, "--tenant-schema", "tenant_3", "--tenant-schema",
                            "tenant_4", "downgrade", "fleet_2"});
  INFO(down.out << down.err);
  CHECK(down.exit_code == 0);
  CHECK(version_of(url, "tenant_3") == "fleet_2");
  CHECK(version_of(url, "tenant_4") == "fleet_2");
  CHECK(version_of(url, "tenant_5") == fleet_head);
}

TEST_CASE("a malformed fleet or replica option is refused before the database is touched") {
  auto url = fresh_database("fleet_bad_options");
  auto wait = fleet_runner({"--url", url, "--wait-for-replicas", "soon", "upgrade"});
  CHECK(wait.exit_code == 2);
  CHECK_THAT(wait.err, Contains("malformed --wait-for-replicas 'soon'"));
  auto jobs =
      fleet_runner({"--url", url, "--url", url + "&application_name=x", "--jobs", "0", "upgrade"});
  CHECK(jobs.exit_code == 2);
  auto other = fleet_runner({"--url", url, "--url", url + "&application_name=x", "history"});
  CHECK(other.exit_code == 2);
  CHECK_THAT(other.err, Contains("are for upgrade, downgrade, current, check and stamp"));
  CHECK_FALSE(table_exists(url, "mt_fleet_version"));
}
