// The owner and mode checks of the development database's folders (issue 17).
#include "migration_tools/postgres/private_directory.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

using namespace migration_tools;
namespace fs = std::filesystem;

TEST_CASE("A private directory is a real directory of its owner with no access for others",
          "[unit][dev_db]") {
  auto base = fs::temp_directory_path() / ("mt-private-" + std::to_string(::getpid()));
  fs::remove_all(base);
  fs::create_directory(base);
  std::string dir = (base / "d").string();
  uid_t me = ::geteuid();

  CHECK(private_directory_problem(dir, me) == "missing");
  fs::create_directory(dir);
  ::chmod(dir.c_str(), 0700);
  CHECK(private_directory_problem(dir, me).empty());
  ::chmod(dir.c_str(), 0750);
  CHECK(private_directory_problem(dir, me).find("its mode is 0750") == 0);
  ::chmod(dir.c_str(), 0701);
  CHECK(private_directory_problem(dir, me).find("its mode is 0701") == 0);
  ::chmod(dir.c_str(), 0700);
  CHECK(private_directory_problem(dir, me + 1).find("it belongs to ") == 0);

  std::string link = (base / "link").string();
  fs::create_directory_symlink(dir, link);
  CHECK(private_directory_problem(link, me) == "it is a symbolic link");
  std::string file = (base / "file").string();
  { std::ofstream(file) << "x"; }
  CHECK(private_directory_problem(file, me) == "it is not a directory");

  // make_private_directory: creates 0700, tightens its own loose folder.
  std::string made = (base / "made").string();
  make_private_directory(made, me, ::getegid());
  CHECK(private_directory_problem(made, me).empty());
  ::chmod(made.c_str(), 0777);
  make_private_directory(made, me, ::getegid());
  CHECK(private_directory_problem(made, me).empty());
  CHECK_THROWS_WITH(make_private_directory(link, me, ::getegid()),
                    Catch::Contains("it is a symbolic link"));

  std::string fresh = make_unpredictable_directory(me, ::getegid());
  CHECK(private_directory_problem(fresh, me).empty());
  CHECK(fresh.find("/mt-pg-") != std::string::npos);
  fs::remove_all(fresh);
  fs::remove_all(base);
}
