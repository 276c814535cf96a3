// Checksums of meaning (issue 34, item 4): what a migration does, not how
// it is written.
#include "migration_tools/core/meaning_checksum.hpp"

#include <catch2/catch.hpp>

using namespace migration_tools;

namespace {

std::string meaning(const std::string& header_extra, const std::string& up,
                    const std::string& down = "DROP TABLE t;") {
  std::string text = "-- migrate:revision r1\n-- migrate:down_revision none\n" + header_extra +
                     "\n-- migrate:upgrade\n" + up + "\n-- migrate:downgrade\n" + down + "\n";
  std::vector<diagnostic> ds;
  auto m = parse_migration("m.sql", text, ds);
  REQUIRE(ds.empty());
  return migration_meaning_checksum(m);
}

const std::string base = "CREATE TABLE t (a bigint DEFAULT 1);";

}  // namespace

TEST_CASE("meaning checksum: layout, comments, keyword case and the message do not count",
          "[unit][checksum]") {
  auto original = meaning("", base);
  CHECK(original.rfind("m1:", 0) == 0);
  CHECK(original.size() == 67);
  CHECK(is_meaning_checksum(original));
  CHECK_FALSE(is_meaning_checksum(std::string(64, 'a')));
  CHECK(meaning("", "create table t (\n    a BIGINT default 1 -- the answer\n);") == original);
  CHECK(meaning("", "/* made by hand */\n" + base + "\n\n-- end") == original);
  CHECK(meaning("-- migrate:message words for people\n", base) == original);
  CHECK(meaning("", base, "drop   table t ;") == original);
}

TEST_CASE("meaning checksum: a literal, a name, a statement or a header key does",
          "[unit][checksum]") {
  auto original = meaning("", base);
  CHECK(meaning("", "CREATE TABLE t (a bigint DEFAULT 2);") != original);
  CHECK(meaning("", "CREATE TABLE u (a bigint DEFAULT 1);") != original);
  CHECK(meaning("", base + "\nCREATE INDEX i ON t (a);") != original);
  CHECK(meaning("", base, "DROP TABLE t CASCADE;") != original);
  CHECK(meaning("-- migrate:lock_timeout 5s\n", base) != original);
  CHECK(meaning("-- migrate:transactional false\n", base) != original);
  // A string literal's content counts, its quoting style does not.
  CHECK(meaning("", "INSERT INTO t VALUES ('it''s');") ==
        meaning("", "INSERT INTO t VALUES ($$it's$$);"));
}

TEST_CASE("meaning checksum: C++ migrations keep their text's", "[unit][checksum]") {
  std::vector<diagnostic> ds;
  auto m = parse_migration("m.cpp", "// migrate:revision r2\n// migrate:down_revision none\n", ds);
  CHECK(migration_meaning_checksum(m).empty());
}
