// The stale-runner check (src/engine/stale_runner.hpp): its two threads share
// the listing and the comparisons, and together report each changed file once.
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

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
