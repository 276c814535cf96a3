// Migration checksums: SHA-256 of the file, with line endings and a byte
// order mark normalised away.
#include "migration_tools/core/checksum.hpp"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "migration_tools/core/migration.hpp"

using namespace migration_tools;

namespace {
const std::string lf_text =
    "-- migrate:revision abc\n-- migrate:down_revision none\n-- migrate:upgrade\nSELECT 1;\n";
const std::string crlf_text =
    "-- migrate:revision abc\r\n-- migrate:down_revision none\r\n-- migrate:upgrade\r\n"
    "SELECT 1;\r\n";
const std::string bom = "\xEF\xBB\xBF";
}  // namespace

TEST_CASE("The checksum is the lower-case hex SHA-256 of the text", "[unit][checksum]") {
  CHECK(migration_checksum("") ==
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(migration_checksum("abc") ==
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_CASE("CRLF line endings do not change the checksum", "[unit][checksum]") {
  CHECK(migration_checksum(crlf_text) == migration_checksum(lf_text));
  CHECK(migration_checksum("a\r\nb") == migration_checksum("a\nb"));
}

TEST_CASE("A byte order mark does not change the checksum", "[unit][checksum]") {
  CHECK(migration_checksum(bom + lf_text) == migration_checksum(lf_text));
  CHECK(migration_checksum(bom) == migration_checksum(""));
}

TEST_CASE("A byte order mark and CRLF together do not change the checksum", "[unit][checksum]") {
  CHECK(migration_checksum(bom + crlf_text) == migration_checksum(lf_text));
}

TEST_CASE("Any change to the content changes the checksum", "[unit][checksum]") {
  auto base = migration_checksum(lf_text);
  CHECK(migration_checksum(lf_text + "\n") != base);
  CHECK(migration_checksum("-- migrate:revision abc\n-- migrate:down_revision none\n"
                           "-- migrate:upgrade\nSELECT 2;\n") != base);
  CHECK(migration_checksum("a b") != migration_checksum("a  b"));
  // Only CR before LF is a line ending; a CR elsewhere is content.
  CHECK(migration_checksum("a\rb") != migration_checksum("ab"));
  // A BOM in the middle is content.
  CHECK(migration_checksum("a" + bom) != migration_checksum("a"));
}

TEST_CASE("The checksum is 64 hex digits", "[unit][checksum]") {
  auto sum = migration_checksum(lf_text);
  REQUIRE(sum.size() == 64);
  CHECK(sum.find_first_not_of("0123456789abcdef") == std::string::npos);
}

TEST_CASE("A migration saved with a byte order mark and CRLF is the same migration",
          "[unit][checksum]") {
  // What upgrade and check compare: the checksum recorded from one checkout
  // against the file of another. The parsed migration is the same too.
  std::string lf =
      "-- migrate:revision abc\n-- migrate:down_revision none\n"
      "-- migrate:lock_timeout 5s\n\n-- migrate:upgrade\nCREATE TABLE t (x int);\n"
      "INSERT INTO t VALUES (1);\n\n-- migrate:downgrade\nDROP TABLE t;\n";
  std::string windows = bom;
  for (char c : lf) windows += c == '\n' ? std::string("\r\n") : std::string(1, c);
  CHECK(migration_checksum(windows) == migration_checksum(lf));
  std::vector<diagnostic> ds;
  auto a = parse_migration("m.sql", lf, ds);
  auto b = parse_migration("m.sql", windows, ds);
  REQUIRE(ds.empty());
  CHECK(a.revision == b.revision);
  CHECK(a.lock_timeout_ms == b.lock_timeout_ms);
  CHECK(a.upgrade.text == b.upgrade.text);
  CHECK(a.upgrade.first_line == b.upgrade.first_line);
  CHECK(a.downgrade.text == b.downgrade.text);
}
