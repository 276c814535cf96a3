// The fleet's scheduling (src/engine/fleet_run.hpp) on targets whose work is
// a function: the bound on parallelism, --canary, --fail-fast, the state file
// and --resume, the worst exit code, and the URLs file's errors.
#include "fleet_run.hpp"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include "migration_tools/core/diagnostic.hpp"

using namespace migration_tools;
using namespace migration_tools::engine;
using Catch::Matchers::Contains;

namespace {

std::vector<fleet_target> targets_named(std::initializer_list<const char*> names) {
  std::vector<fleet_target> out;
  for (const char* n : names) out.push_back({std::string("postgresql:///") + n, "", n});
  return out;
}

// Work that fails for the names in `failing` (exit 1), else reaches "r2".
target_work work_failing(std::vector<std::string> failing, std::vector<std::string>* ran = nullptr,
                         std::mutex* mutex = nullptr) {
  return [=](const fleet_target& t, size_t, bool) {
    if (ran) {
      std::lock_guard<std::mutex> lock(*mutex);
      ran->push_back(t.name);
    }
    target_outcome o;
    o.to = {"r2"};
    o.steps = 2;
    if (std::find(failing.begin(), failing.end(), t.name) != failing.end()) {
      o.exit_code = 1;
      o.message = "it failed";
    }
    return o;
  };
}

// A directory of this process's own, removed when the tests end.
struct temp_directory {
  std::filesystem::path path =
      std::filesystem::temp_directory_path() / ("mt-fleet-unit-" + std::to_string(::getpid()));
  temp_directory() { std::filesystem::create_directories(path); }
  ~temp_directory() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
};

std::string temp_path(const std::string& name) {
  static temp_directory directory;
  return (directory.path / name).string();
}

}  // namespace

TEST_CASE("a fleet runs at most --jobs targets at once and reports each, in the order given") {
  std::atomic<int> running{0}, most{0};
  fleet_settings s;
  s.jobs = 3;
  auto targets = targets_named({"a", "b", "c", "d", "e", "f", "g", "h"});
  size_t calls = 0;
  auto report = run_fleet(
      targets, s,
      [&](const fleet_target&, size_t, bool) {
        int now = ++running;
        int seen = most.load();
        while (now > seen && !most.compare_exchange_weak(seen, now)) {
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        --running;
        return target_outcome{};
      },
      [&](const target_report&, size_t finished, size_t total) {
        ++calls;
        CHECK(finished == calls);
        CHECK(total == 8);
      });
  CHECK(most.load() <= 3);
  CHECK(most.load() >= 2);
  CHECK(calls == 8);
  REQUIRE(report.targets.size() == 8);
  for (size_t i = 0; i < 8; ++i) {
    CHECK(report.targets[i].target.name == targets[i].name);
    CHECK(report.targets[i].index == i);
    CHECK(report.targets[i].status == target_status::ok);
  }
  CHECK(report.exit_code == 0);
}

TEST_CASE(
    "a canary that fails leaves the rest not run, and --fail-fast starts nothing after a "
    "failure") {
  auto targets = targets_named({"a", "b", "c", "d"});
  fleet_settings canary;
  canary.canary = 2;
  canary.jobs = 4;
  auto r = run_fleet(targets, canary, work_failing({"b"}), nullptr);
  CHECK(r.targets[0].status == target_status::ok);
  CHECK(r.targets[1].status == target_status::failed);
  CHECK(r.targets[2].status == target_status::not_run);
  CHECK(r.targets[3].status == target_status::not_run);
  CHECK(r.exit_code == 1);

  fleet_settings fast;
  fast.fail_fast = true;
  std::vector<std::string> ran;
  std::mutex mutex;
  auto f = run_fleet(targets, fast, work_failing({"a"}, &ran, &mutex), nullptr);
  CHECK(ran == std::vector<std::string>{"a"});
  CHECK(f.targets[1].status == target_status::not_run);

  // Without either, every target is tried.
  auto all = run_fleet(targets, fleet_settings{}, work_failing({"a", "c"}), nullptr);
  CHECK(all.targets[1].status == target_status::ok);
  CHECK(all.targets[3].status == target_status::ok);
}

TEST_CASE(
    "the state file records each target, and --resume runs only those that did not reach "
    "the goal") {
  auto state = temp_path("state.json");
  std::filesystem::remove(state);
  auto targets = targets_named({"a", "b", "c"});
  fleet_settings s;
  s.state_file = state;
  s.goal = "upgrade head";
  run_fleet(targets, s, work_failing({"b"}), nullptr);
  REQUIRE(std::filesystem::exists(state));

  s.resume = true;
  std::vector<std::string> ran;
  std::mutex mutex;
  auto r = run_fleet(targets, s, work_failing({}, &ran, &mutex), nullptr);
  CHECK(ran == std::vector<std::string>{"b"});
  CHECK(r.targets[0].status == target_status::done_before);
  CHECK(r.targets[0].outcome.to == std::vector<std::string>{"r2"});
  CHECK(r.targets[1].status == target_status::ok);
  CHECK(r.exit_code == 0);

  // Another goal, no file, or a file that is no state: refused, named.
  s.goal = "downgrade base";
  CHECK_THROWS_WITH(run_fleet(targets, s, work_failing({}), nullptr),
                    Contains("state.json") && Contains("upgrade head"));
  s.state_file = temp_path("missing.json");
  CHECK_THROWS_AS(run_fleet(targets, s, work_failing({}), nullptr), usage_error);
  auto junk = temp_path("junk.json");
  std::ofstream(junk) << "[1, 2";
  s.state_file = junk;
  CHECK_THROWS_WITH(run_fleet(targets, s, work_failing({}), nullptr), Contains("no fleet state"));
}

TEST_CASE("the worst exit code of a fleet: a failure, then bad input, then check's findings") {
  CHECK(worse_exit_code(0, 3) == 3);
  CHECK(worse_exit_code(3, 2) == 2);
  CHECK(worse_exit_code(2, 1) == 1);
  CHECK(worse_exit_code(1, 3) == 1);
  CHECK(worse_exit_code(0, 0) == 0);
}

TEST_CASE("a URLs file: comments and blank lines skipped, a bad line named by file and line") {
  auto path = temp_path("urls.txt");
  {
    std::ofstream out(path);
    out << "# fleet\n\npostgresql://a@h/db1\n  postgres://b@h/db2   # second\r\n";
  }
  std::filesystem::permissions(
      path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  CHECK(read_urls_file(path) ==
        std::vector<std::string>{"postgresql://a@h/db1", "postgres://b@h/db2"});
  {
    std::ofstream out(path);
    out << "postgresql://a@h/db1\nhost=h password=sekrit\n";
  }
  try {
    read_urls_file(path);
    FAIL("a line that is no URL was accepted");
  } catch (const usage_error& e) {
    CHECK_THAT(e.what(), Contains("urls.txt:2: error: not a PostgreSQL URL"));
    CHECK_THAT(e.what(), !Contains("sekrit"));
  }
  {
    std::ofstream out(path);
    out << "postgresql://a@h/db1 postgresql://b@h/db2\n";
  }
  CHECK_THROWS_WITH(read_urls_file(path), Contains("urls.txt:1: error: one URL per line"));
  {
    std::ofstream out(path);
    out << "# nothing\n";
  }
  CHECK_THROWS_WITH(read_urls_file(path), Contains("no URL"));
  std::filesystem::permissions(path, std::filesystem::perms::group_write,
                               std::filesystem::perm_options::add);
  CHECK_THROWS_WITH(read_urls_file(path), Contains("writable by group or others"));
}
