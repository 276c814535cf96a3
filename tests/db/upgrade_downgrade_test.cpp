#include <catch2/catch.hpp>

#include "runners.hpp"
#include "test_database.hpp"

using namespace migration_tools::test;

namespace {
std::vector<std::string> versions(const std::string& url) {
  return column(url, "SELECT version_num FROM mt_linear_version ORDER BY 1");
}
}  // namespace

TEST_CASE("upgrade from an empty database reaches the head and records each step", "[db]") {
  auto url = fresh_database("ud_upgrade_head");
  auto r = linear(url, {"upgrade"});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  // The server's messages about the runner's own transactions (the commit
  // it watches for, a savepoint) are not the user's.
  CHECK(r.err.find("DEBUG") == std::string::npos);
  CHECK(r.err.find("WARNING") == std::string::npos);
  CHECK(r.err.find("Transaction") == std::string::npos);
  CHECK(versions(url) == std::vector<std::string>{"rev_e"});
  CHECK(table_exists(url, "priced_items"));
  auto history =
      column(url, "SELECT revision || ':' || direction FROM mt_linear_version_history ORDER BY id");
  CHECK(history == std::vector<std::string>{"rev_a:upgrade", "rev_b:upgrade", "rev_c:upgrade",
                                            "rev_d:upgrade", "rev_e:upgrade"});
  // SQL migrations record their checksum of meaning, the C++ one (rev_c) its
  // file's SHA-256.
  auto checksums = column(url,
                          "SELECT revision || ' ' || checksum FROM mt_linear_version_history "
                          "ORDER BY id");
  REQUIRE(checksums.size() == 5);
  for (const auto& c : checksums) {
    INFO(c);
    bool cpp = c.rfind("rev_c ", 0) == 0;
    CHECK(c.size() == 6 + (cpp ? 64 : 67));
    CHECK((c.find(" m1:") != std::string::npos) == !cpp);
  }
  CHECK(column(url, "SELECT count(DISTINCT checksum) FROM mt_linear_version_history").at(0) == "5");

  SECTION("a second upgrade has nothing to do") {
    auto again = linear(url, {"upgrade"});
    CHECK(again.exit_code == 0);
    CHECK(again.err.find("nothing to do") != std::string::npos);
    CHECK(column(url, "SELECT count(*) FROM mt_linear_version_history").at(0) == "5");
  }
}

TEST_CASE("a C++ migration inserts rows in its own transaction and its downgrade removes them",
          "[db]") {
  auto url = fresh_database("ud_cpp");
  REQUIRE(linear(url, {"upgrade", "rev_c"}).exit_code == 0);
  CHECK(versions(url) == std::vector<std::string>{"rev_c"});
  CHECK(column(url, "SELECT string_agg(name, ',' ORDER BY id) FROM items").at(0) ==
        "item 1,item 2,item 3");
  REQUIRE(linear(url, {"downgrade", "-1"}).exit_code == 0);
  CHECK(versions(url) == std::vector<std::string>{"rev_b"});
  CHECK(column(url, "SELECT count(*) FROM items").at(0) == "0");
}

TEST_CASE("downgrade -1 steps back one revision", "[db]") {
  auto url = fresh_database("ud_minus_one");
  REQUIRE(linear(url, {"upgrade"}).exit_code == 0);
  auto r = linear(url, {"downgrade", "-1"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(versions(url) == std::vector<std::string>{"rev_d"});
  CHECK_FALSE(table_exists(url, "priced_items"));
  CHECK(table_exists(url, "items"));
}

TEST_CASE("downgrade base removes every migration and empties the version table", "[db]") {
  auto url = fresh_database("ud_base");
  REQUIRE(linear(url, {"upgrade"}).exit_code == 0);
  auto r = linear(url, {"downgrade", "base"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(versions(url).empty());
  CHECK_FALSE(table_exists(url, "accounts"));
  CHECK_FALSE(table_exists(url, "items"));
  CHECK(column(url, "SELECT count(*) FROM mt_linear_version_history WHERE direction = 'downgrade'")
            .at(0) == "5");
}

TEST_CASE("upgrade +N applies exactly N migrations from the current revision", "[db]") {
  auto url = fresh_database("ud_plus_n");
  REQUIRE(linear(url, {"upgrade", "+2"}).exit_code == 0);
  CHECK(versions(url) == std::vector<std::string>{"rev_b"});
  REQUIRE(linear(url, {"upgrade", "+1"}).exit_code == 0);
  CHECK(versions(url) == std::vector<std::string>{"rev_c"});

  SECTION("a walk past the head fails, says how far it could go, and changes nothing") {
    auto r = linear(url, {"upgrade", "+5"});
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("only 2 of 5 steps") != std::string::npos);
    CHECK(versions(url) == std::vector<std::string>{"rev_c"});
  }
  SECTION("a revision prefix is a target") {
    REQUIRE(linear(url, {"upgrade", "rev_d"}).exit_code == 0);
    CHECK(versions(url) == std::vector<std::string>{"rev_d"});
  }
  SECTION("rev-N counts back from a revision") {
    REQUIRE(linear(url, {"downgrade", "rev_c-2"}).exit_code == 0);
    CHECK(versions(url) == std::vector<std::string>{"rev_a"});
  }
}

TEST_CASE("an ambiguous revision prefix is an error listing the candidates", "[db]") {
  auto url = fresh_database("ud_ambiguous");
  auto r = linear(url, {"upgrade", "rev"});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("'rev' is ambiguous; it matches 'rev_a', 'rev_b', 'rev_c', 'rev_d', 'rev_e'") !=
        std::string::npos);
  CHECK_FALSE(table_exists(url, "mt_linear_version"));
}

TEST_CASE("check exits 3 when the database is behind and 0 at the head", "[db]") {
  auto url = fresh_database("ud_check");
  auto empty = linear(url, {"check"});
  CHECK(empty.exit_code == 3);
  CHECK(empty.out.find("5 migrations are not applied") != std::string::npos);
  REQUIRE(linear(url, {"upgrade", "rev_d"}).exit_code == 0);
  auto behind = linear(url, {"check"});
  CHECK(behind.exit_code == 3);
  CHECK(behind.out.find("the database is behind: it is at rev_d") != std::string::npos);
  REQUIRE(linear(url, {"upgrade"}).exit_code == 0);
  auto at_head = linear(url, {"check"});
  CHECK(at_head.exit_code == 0);
  CHECK(at_head.out.find("at rev_e") != std::string::npos);
}

TEST_CASE("a database URL's password never appears in the output", "[db]") {
  auto r = run_process(
      {LINEAR_RUNNER, "--url", "postgresql://someone:s3cret-pw@127.0.0.1:1/nowhere", "current"});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("cannot connect") != std::string::npos);
  CHECK(r.out.find("s3cret-pw") == std::string::npos);
  CHECK(r.err.find("s3cret-pw") == std::string::npos);
}
