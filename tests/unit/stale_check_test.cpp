// The stale-runner check (src/engine/stale_runner.hpp): its two threads share
// the listing and the comparisons, and together report each changed file once.
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "migration_tools/core/source_tree.hpp"
#include "stale_runner.hpp"

using namespace migration_tools;
using namespace migration_tools::engine;
namespace fs = std::filesystem;

namespace {

void write(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

long long ctime_of(const fs::path& path) {
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  return static_cast<long long>(st.st_ctim.tv_sec) * 1000000000LL + st.st_ctim.tv_nsec;
}

long long granularity_of(const fs::path& path) {
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  return timestamp_granularity_ns(path.string(), st);
}

}  // namespace

TEST_CASE(
    "The stale check's two threads report every added, edited and removed file once, in order",
    "[unit][stale]") {
  fs::path root = fs::temp_directory_path() / ("mt_stale_check_" + std::to_string(::getpid()));
  fs::remove_all(root);
  fs::create_directories(root / "migrations" / "sub");
  const int count = 600;
  // What the runner embeds: each file as it is now, with its ctime.
  std::vector<std::string> paths, texts;
  for (int i = 0; i < count; ++i) {
    std::string name =
        (i % 7 == 0 ? "migrations/sub/" : "migrations/") + std::to_string(1000 + i) + ".sql";
    paths.push_back(name);
    texts.push_back("-- migrate:revision r" + std::to_string(i) + "\n");
    write(root / name, texts.back());
  }
  std::vector<embedded_file> files;
  for (int i = 0; i < count; ++i)
    files.push_back({paths[static_cast<size_t>(i)].c_str(), texts[static_cast<size_t>(i)].data(),
                     texts[static_cast<size_t>(i)].data() + texts[static_cast<size_t>(i)].size(),
                     ctime_of(root / paths[static_cast<size_t>(i)]), nullptr});
  embedded_catalog catalog{files.data(), files.size()};
  std::string migrations_dir = (root / "migrations").string(), source_root = root.string();
  runner_config config{"t", "", "public", "v", migrations_dir.c_str(), source_root.c_str(),
                       "",  "", false,    ""};

  // Untouched: nothing to report, however the work was shared.
  for (int round = 0; round < 5; ++round) CHECK(stale_check(config, catalog).result().empty());

  // Edited every 13th (new bytes), touched every 17th (same bytes: not
  // edited), removed every 101st, and a few added.
  std::vector<std::string> expected;
  for (int i = 0; i < count; ++i) {
    const auto& p = paths[static_cast<size_t>(i)];
    if (i % 101 == 0) {
      fs::remove(root / p);
      expected.push_back("removed: " + p);
    } else if (i % 13 == 0) {
      write(root / p, texts[static_cast<size_t>(i)] + "-- edited\n");
      expected.push_back("edited: " + p);
    } else if (i % 17 == 0) {
      write(root / p, texts[static_cast<size_t>(i)]);
    }
  }
  for (std::string added : {"migrations/0001_new.sql", "migrations/sub/9999_new.sql"}) {
    write(root / added, "-- migrate:revision n\n");
    expected.push_back("added: " + added);
  }
  std::sort(expected.begin(), expected.end(), [](const std::string& a, const std::string& b) {
    return a.substr(a.find(' ')) < b.substr(b.find(' '));
  });
  for (int round = 0; round < 20; ++round) {
    std::vector<std::string> got;
    for (const auto& f : stale_check(config, catalog).result())
      got.push_back(std::string(f.change) + ": " + f.path);
    REQUIRE(got == expected);
  }
  fs::remove_all(root);
}

TEST_CASE("The stale check needs no more descriptors than its tree is deep", "[unit][stale]") {
  // 200 subdirectories under a limit of 48 open files: each is closed once
  // listed, and its files are compared by their path below the top.
  fs::path root = fs::temp_directory_path() / ("mt_stale_fds_" + std::to_string(::getpid()));
  fs::remove_all(root);
  const int count = 200;
  std::vector<std::string> paths, texts;
  for (int i = 0; i < count; ++i) {
    std::string dir = "migrations/d" + std::to_string(100 + i);
    fs::create_directories(root / dir);
    paths.push_back(dir + "/m.sql");
    texts.push_back("-- migrate:revision r" + std::to_string(i) + "\n");
    write(root / paths.back(), texts.back());
  }
  std::vector<embedded_file> files;
  for (size_t i = 0; i < paths.size(); ++i)
    files.push_back({paths[i].c_str(), texts[i].data(), texts[i].data() + texts[i].size(),
                     ctime_of(root / paths[i]), nullptr});
  embedded_catalog catalog{files.data(), files.size()};
  std::string migrations_dir = (root / "migrations").string(), source_root = root.string();
  runner_config config{"t", "", "public", "v", migrations_dir.c_str(), source_root.c_str(),
                       "",  "", false,    ""};
  for (size_t i = 0; i < paths.size(); ++i) write(root / paths[i], texts[i] + "-- edited\n");

  struct rlimit saved {};
  REQUIRE(::getrlimit(RLIMIT_NOFILE, &saved) == 0);
  struct rlimit low = saved;
  low.rlim_cur = 48;
  REQUIRE(::setrlimit(RLIMIT_NOFILE, &low) == 0);
  std::vector<stale_file> stale;
  try {
    stale = stale_check(config, catalog).result();
  } catch (...) {
    ::setrlimit(RLIMIT_NOFILE, &saved);
    throw;
  }
  REQUIRE(::setrlimit(RLIMIT_NOFILE, &saved) == 0);
  REQUIRE(stale.size() == paths.size());
  for (size_t i = 0; i < paths.size(); ++i) {
    CHECK(stale[i].path == paths[i]);
    CHECK(std::string(stale[i].change) == "edited");
  }
  fs::remove_all(root);
}

namespace {

// A tree of migrations under a fresh temporary root, embedded as it is now,
// with the directories recorded as the scanner records them.
struct recorded_tree {
  fs::path root;
  std::vector<std::string> paths, texts;
  std::vector<embedded_file> files;
  std::vector<std::string> directory_paths;
  std::vector<embedded_directory> directories;
  std::string migrations_dir, source_root;

  explicit recorded_tree(const std::string& name) {
    root = fs::temp_directory_path() / (name + std::to_string(::getpid()));
    fs::remove_all(root);
    fs::create_directories(root / "migrations" / "sub");
    for (int i = 0; i < 40; ++i) {
      paths.push_back((i % 4 == 0 ? "migrations/sub/" : "migrations/") + std::to_string(100 + i) +
                      ".sql");
      texts.push_back("-- migrate:revision r" + std::to_string(i) + "\n");
      write(root / paths.back(), texts.back());
    }
    for (size_t i = 0; i < paths.size(); ++i)
      files.push_back({paths[i].c_str(), texts[i].data(), texts[i].data() + texts[i].size(),
                       ctime_of(root / paths[i]), nullptr});
    migrations_dir = (root / "migrations").string();
    source_root = root.string();
    // What the scanner records, as if it ran ten seconds from now.
    auto recorded = directories_to_record({{migrations_dir, false}}, source_root, paths,
                                          ctime_of(root / "migrations") + 10000000000LL);
    for (const auto& d : recorded) directory_paths.push_back(d.display);
    for (size_t i = 0; i < recorded.size(); ++i)
      directories.push_back({directory_paths[i].c_str(), recorded[i].changed_ns});
  }
  ~recorded_tree() { fs::remove_all(root); }

  // The check's findings, "change: path", and whether it listed.
  std::pair<std::vector<std::string>, bool> check() const {
    embedded_catalog catalog{files.data(), files.size()};
    catalog.directories = directories.data();
    catalog.directory_count = directories.size();
    runner_config config{"t", "", "public", "v", migrations_dir.c_str(), source_root.c_str(),
                         "",  "", false,    ""};
    stale_check check(config, catalog);
    std::vector<std::string> got;
    for (const auto& f : check.result()) got.push_back(std::string(f.change) + ": " + f.path);
    return {got, check.listed_directories()};
  }
};

}  // namespace

TEST_CASE("The scanner records every directory of a settled tree that holds the embedded files",
          "[unit][stale]") {
  recorded_tree tree("mt_stale_record_");
  REQUIRE(tree.directory_paths.size() == 2);
  CHECK(tree.directory_paths[0] == "migrations");
  CHECK(tree.directory_paths[1] == "migrations/sub");
  long long settled = ctime_of(tree.root / "migrations") + 10000000000LL;
  const std::vector<source_tree> trees{{tree.migrations_dir, false}};

  SECTION("a directory changed within its timestamp granularity of the scan vouches for nothing") {
    fs::path dir = tree.root / "migrations";
    CHECK(directories_to_record(trees, tree.source_root, tree.paths,
                                ctime_of(dir) + granularity_of(dir))
              .empty());
    CHECK(directories_to_record(trees, tree.source_root, tree.paths,
                                ctime_of(dir) + granularity_of(dir) + 1)
              .size() == 2);
  }
  SECTION("a file the runner would not embed") {
    write(tree.root / "migrations/sub/stray.sql", "");
    CHECK(directories_to_record(trees, tree.source_root, tree.paths, settled).empty());
  }
  SECTION("an embedded file that is not there") {
    auto more = tree.paths;
    more.push_back("migrations/gone.sql");
    CHECK(directories_to_record(trees, tree.source_root, more, settled).empty());
  }
  SECTION("a link that leads nowhere yet") {
    fs::create_symlink(tree.root / "later", tree.root / "migrations/sub/later");
    CHECK(directories_to_record(trees, tree.source_root, tree.paths, settled).empty());
  }
  SECTION("a link back up the tree is walked once, and recorded") {
    fs::create_directory_symlink(tree.root / "migrations", tree.root / "migrations/sub/up");
    auto recorded = directories_to_record(trees, tree.source_root, tree.paths, settled);
    CHECK(recorded.size() == 2);
  }
  SECTION("files that are not migrations do not matter") {
    write(tree.root / "migrations/README.md", "");
    CHECK(directories_to_record(trees, tree.source_root, tree.paths, settled).size() == 2);
  }
}

TEST_CASE("A runner whose directories kept their times compares its files without listing them",
          "[unit][stale]") {
  recorded_tree tree("mt_stale_unlisted_");
  REQUIRE(tree.directories.size() == 2);

  SECTION("untouched") {
    auto [found, listed] = tree.check();
    CHECK(found.empty());
    CHECK_FALSE(listed);
  }
  SECTION("a file edited in place is found without a listing") {
    write(tree.root / tree.paths[5], tree.texts[5] + "-- edited\n");
    write(tree.root / tree.paths[8], tree.texts[8]);  // touched: same bytes
    auto [found, listed] = tree.check();
    CHECK(found == std::vector<std::string>{"edited: " + tree.paths[5]});
    CHECK_FALSE(listed);
  }
  SECTION("a file added to a subdirectory moves its time: the check lists") {
    write(tree.root / "migrations/sub/999_new.sql", "-- migrate:revision n\n");
    auto [found, listed] = tree.check();
    CHECK(found == std::vector<std::string>{"added: migrations/sub/999_new.sql"});
    CHECK(listed);
  }
  SECTION("a file removed, or renamed") {
    fs::remove(tree.root / tree.paths[4]);
    fs::rename(tree.root / tree.paths[1], tree.root / "migrations/renamed.sql");
    auto [found, listed] = tree.check();
    std::vector<std::string> expected{"removed: " + tree.paths[1], "removed: " + tree.paths[4],
                                      "added: migrations/renamed.sql"};
    std::sort(expected.begin(), expected.end(), [](const std::string& a, const std::string& b) {
      return a.substr(a.find(' ')) < b.substr(b.find(' '));
    });
    CHECK(found == expected);
    CHECK(listed);
  }
  SECTION("a directory that is not what was recorded") {
    tree.directories[1].changed_ns += 1;
    auto [found, listed] = tree.check();
    CHECK(found.empty());
    CHECK(listed);
  }
  SECTION("a new subdirectory with a migration in it") {
    fs::create_directories(tree.root / "migrations/later");
    write(tree.root / "migrations/later/1.sql", "-- migrate:revision l\n");
    auto [found, listed] = tree.check();
    CHECK(found == std::vector<std::string>{"added: migrations/later/1.sql"});
    CHECK(listed);
  }
  SECTION("no directories recorded: the check lists, as it always did") {
    tree.directories.clear();
    auto [found, listed] = tree.check();
    CHECK(found.empty());
    CHECK(listed);
  }
}

TEST_CASE("The scanner vouches for a file's time only once it has settled", "[unit][stale]") {
  fs::path file = fs::temp_directory_path() / ("mt_vouched_" + std::to_string(::getpid()));
  write(file, "x");
  long long changed = ctime_of(file), granularity = granularity_of(file);
  // Within the file system's timestamp granularity of the scan's start, a
  // later edit could share the time: the runner must compare the bytes.
  CHECK(granularity > 0);
  CHECK(granularity <= 2000000000LL);
  CHECK(vouched_change_time(file.string(), changed) == -1);
  CHECK(vouched_change_time(file.string(), changed + granularity) == -1);
  CHECK(vouched_change_time(file.string(), changed + granularity + 1) == changed);
  CHECK(vouched_change_time((file.string() + ".missing"), changed + 10000000000LL) == -1);
  fs::remove(file);
}

TEST_CASE("A timestamp granularity is the kernel's tick where the file system keeps nanoseconds",
          "[unit][stale]") {
  // /dev/shm is a tmpfs on Linux: nanosecond times stamped by the kernel's
  // coarse clock.
  fs::path file = "/dev/shm/mt_granularity_" + std::to_string(::getpid());
  write(file, "x");
  struct timespec tick {};
  REQUIRE(::clock_getres(CLOCK_REALTIME_COARSE, &tick) == 0);
  long long expected = 2 * (static_cast<long long>(tick.tv_sec) * 1000000000LL + tick.tv_nsec);
  struct stat st {};
  REQUIRE(::stat(file.c_str(), &st) == 0);
  // A time with no fraction of a second may come from a file system that
  // keeps whole seconds: the coarsest rule then.
  CHECK(timestamp_granularity_ns(file.string(), st) ==
        (st.st_ctim.tv_nsec == 0 ? 2000000000LL : expected));
  st.st_ctim.tv_nsec = 0;
  CHECK(timestamp_granularity_ns(file.string(), st) == 2000000000LL);
  fs::remove(file);
}
