#include <catch2/catch.hpp>

#include "runners.hpp"
#include "test_database.hpp"

using namespace migration_tools::test;

TEST_CASE("history lists every migration newest first in Alembic's format", "[db]") {
  auto r = run_process({LINEAR_RUNNER, "history"});
  REQUIRE(r.exit_code == 0);
  CHECK(r.out ==
        "rev_d -> rev_e (head), priced items view\n"
        "rev_c -> rev_d, add items.price\n"
        "rev_b -> rev_c, seed items from C++\n"
        "rev_a -> rev_b, create items\n"
        "<base> -> rev_a, create accounts\n");
}

TEST_CASE("history --verbose shows each revision's file", "[db]") {
  auto r = run_process({LINEAR_RUNNER, "history", "--verbose"});
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("Rev: rev_e (head)\nParent: rev_d\nPath: "
                   "tests/db/fixtures/linear/005_rev_e_priced_view.sql") != std::string::npos);
}

TEST_CASE("current prints the database's revision and whether it is the head", "[db]") {
  auto url = fresh_database("out_current");
  auto before = linear(url, {"current"});
  CHECK(before.exit_code == 0);
  CHECK(before.out.empty());
  CHECK(before.err.find("no migrations are applied") != std::string::npos);
  REQUIRE(linear(url, {"upgrade", "rev_b"}).exit_code == 0);
  CHECK(linear(url, {"current"}).out == "rev_b\n");
  REQUIRE(linear(url, {"upgrade"}).exit_code == 0);
  CHECK(linear(url, {"current"}).out == "rev_e (head)\n");
}

TEST_CASE("heads prints the single head", "[db]") {
  auto r = run_process({LINEAR_RUNNER, "heads"});
  REQUIRE(r.exit_code == 0);
  CHECK(r.out == "rev_e (head)\n");
}

TEST_CASE("upgrade says once which database it uses, without the password", "[db]") {
  auto url = fresh_database("out_says_once");
  auto r = linear(url, {"upgrade"});
  REQUIRE(r.exit_code == 0);
  size_t first = r.err.find("using database");
  REQUIRE(first != std::string::npos);
  CHECK(r.err.find("using database", first + 1) == std::string::npos);
}

TEST_CASE("a bad command line exits 2", "[db]") {
  CHECK(run_process({LINEAR_RUNNER, "no-such-command"}).exit_code == 2);
  CHECK(run_process({LINEAR_RUNNER}).exit_code == 2);
  CHECK(run_process({LINEAR_RUNNER, "--color", "sometimes", "heads"}).exit_code == 2);
  CHECK(run_process({LINEAR_RUNNER, "--help"}).exit_code == 0);
}

TEST_CASE("history draws the graph with --format dot or mermaid, and only history does", "[db]") {
  auto dot = run_process({LINEAR_RUNNER, "history", "--format", "dot"});
  CHECK(dot.exit_code == 0);
  CHECK(dot.out.find("digraph migrations {") == 0);
  CHECK(dot.out.find("\"rev_a\" -> \"rev_b\";") != std::string::npos);
  auto heads = run_process({LINEAR_RUNNER, "heads", "--format", "mermaid"});
  CHECK(heads.exit_code == 2);
  CHECK(heads.err.find("it is for history") != std::string::npos);
}

TEST_CASE("the runner's --help shows the options users pass, not the CMake targets' own", "[db]") {
  // Issue 32: --from-env is how the targets hand MIGRATE_MESSAGE over.
  auto help = run_process({LINEAR_RUNNER, "--help"});
  CHECK(help.exit_code == 0);
  CHECK(help.out.find("--url") != std::string::npos);
  CHECK(help.out.find("--from-env") == std::string::npos);
}
