// Migration files that are not text: headers must be UTF-8, and a NUL byte
// marks a binary file. Each is one clear diagnostic at the right line.
#include <catch2/catch.hpp>

#include "migration_tools/core/migration.hpp"

using namespace migration_tools;

namespace {

std::vector<diagnostic> parse(const std::string& text) {
  std::vector<diagnostic> ds;
  parse_migration("m.sql", text, ds);
  return ds;
}

std::string header_with_message(const std::string& message) {
  return "-- migrate:revision r1\n-- migrate:down_revision none\n-- migrate:message " + message +
         "\n\n-- migrate:upgrade\nSELECT 1;\n";
}

}  // namespace

TEST_CASE("UTF-8 in a header is accepted, including 4-byte characters", "[unit][parser]") {
  CHECK(parse(header_with_message("caf\xC3\xA9 \xE2\x9C\x93 \xF0\x9F\x98\x80")).empty());
}

TEST_CASE("Malformed UTF-8 in a header is an error at its line and column", "[unit][parser]") {
  // Latin-1, a truncated sequence, an overlong form, a surrogate, beyond U+10FFFF.
  for (const std::string& bad :
       {std::string("caf\xE9"), std::string("caf\xC3"), std::string("caf\xC0\xAF"),
        std::string("caf\xED\xA0\x80"), std::string("caf\xF4\x90\x80\x80")}) {
    auto ds = parse(header_with_message(bad));
    INFO(bad);
    REQUIRE(ds.size() == 1);
    CHECK(ds[0].line == 3);
    CHECK(ds[0].message.find("the header is not valid UTF-8 (byte 0x") == 0);
    CHECK(ds[0].message.find("at column 23): save the file as UTF-8") != std::string::npos);
  }
}

TEST_CASE("Bytes that are not UTF-8 in an SQL body are left to PostgreSQL", "[unit][parser]") {
  std::vector<diagnostic> ds;
  auto m = parse_migration("m.sql",
                           "-- migrate:revision r1\n-- migrate:down_revision none\n\n"
                           "-- migrate:upgrade\nSELECT 'caf\xE9';\n",
                           ds);
  CHECK(ds.empty());
  CHECK(m.upgrade.text.find("'caf\xE9'") != std::string::npos);
}

TEST_CASE("A NUL byte makes a file binary: one error at its line", "[unit][parser]") {
  auto ds = parse(std::string("-- migrate:revision r1\n\x89PNG\r\n\x1A\n\0\0\0\rIHDR", 39));
  REQUIRE(ds.size() == 1);
  CHECK(ds[0].line == 4);
  CHECK(ds[0].message == "the file contains a NUL byte: a migration must be a UTF-8 text file");
}

TEST_CASE("Code after a C++ migration's header is not checked as header text", "[unit][parser]") {
  std::vector<diagnostic> ds;
  parse_migration("m.cpp",
                  "// migrate:revision r1\n// migrate:down_revision none\n"
                  "const char* latin1 = \"caf\xE9\";\n",
                  ds);
  CHECK(ds.empty());
}
