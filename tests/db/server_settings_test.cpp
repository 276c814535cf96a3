// Issue 30, item 3: a migration means what it says whatever the server's
// settings. A database (or role) default of standard_conforming_strings =
// off would make a backslash in a literal an escape; the runner pins the
// setting on, online and in offline scripts.
#include <catch2/catch.hpp>
#include <fstream>

#include "psql.hpp"
#include "runners.hpp"
#include "test_database.hpp"

using namespace migration_tools::test;

namespace {

std::string with_conforming_strings_off(const std::string& name) {
  std::string url = fresh_database(name);
  column(url, "ALTER DATABASE " + name + " SET standard_conforming_strings = off");
  // A new session sees the default.
  REQUIRE(column(url, "SHOW standard_conforming_strings").at(0) == "off");
  return url;
}

void literal_kept(const std::string& url) {
  CHECK(column(url, "SELECT body FROM notes").at(0) == "x\\y");
  CHECK(column(url, "SELECT obj_description('notes'::regclass, 'pg_class')").at(0) == "x\\");
}

}  // namespace

TEST_CASE(
    "a migration's backslash literal means the same on a database whose default is "
    "standard_conforming_strings = off",
    "[db][safety]") {
  std::string url = with_conforming_strings_off("scs_off_online");
  auto r = run_runner(BACKSLASH_RUNNER, url, {"upgrade"});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  literal_kept(url);
  auto down = run_runner(BACKSLASH_RUNNER, url, {"downgrade", "base"});
  CHECK(down.exit_code == 0);
}

TEST_CASE("an offline script pins standard_conforming_strings on", "[db][safety][offline]") {
  std::string url = with_conforming_strings_off("scs_off_offline");
  auto script = run_runner(BACKSLASH_RUNNER, url, {"upgrade", "--sql", "base:head"});
  REQUIRE(script.exit_code == 0);
  CHECK(script.out.find("SET standard_conforming_strings = on;") != std::string::npos);
  auto applied = apply_script(url, script.out, "scs_off");
  INFO(applied.out << applied.err);
  REQUIRE(applied.exit_code == 0);
  literal_kept(url);
}
