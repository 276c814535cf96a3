// The small text helpers the parsers share.
#include "migration_tools/core/text.hpp"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

using namespace migration_tools;

TEST_CASE("trim removes white space at both ends", "[unit][text]") {
  CHECK(trim("  a b \t\r\n") == "a b");
  CHECK(trim("") == "");
  CHECK(trim(" \t ") == "");
  CHECK(trim_left("  a ") == "a ");
}

TEST_CASE("strip_bom drops only a leading UTF-8 byte order mark", "[unit][text]") {
  CHECK(strip_bom("\xEF\xBB\xBF"
                  "abc") == "abc");
  CHECK(strip_bom("abc") == "abc");
  CHECK(strip_bom("a\xEF\xBB\xBF") == "a\xEF\xBB\xBF");
  CHECK(strip_bom("\xEF\xBB") == "\xEF\xBB");
}

TEST_CASE("strip_carriage_returns turns CRLF into LF", "[unit][text]") {
  CHECK(strip_carriage_returns("a\r\nb\r\n") == "a\nb\n");
  CHECK(strip_carriage_returns("a\rb") == "a\rb");
  CHECK(strip_carriage_returns("a\r") == "a");
  CHECK(strip_carriage_returns("") == "");
}

TEST_CASE("split_list splits at commas and white space and drops empty items", "[unit][text]") {
  using list = std::vector<std::string_view>;
  CHECK(split_list("a, b  c,d,,\te") == list{"a", "b", "c", "d", "e"});
  CHECK(split_list(" , ").empty());
  CHECK(split_list("").empty());
  CHECK(split_list("one") == list{"one"});
}

TEST_CASE("line_reader numbers lines from 1 and drops the CR of CRLF", "[unit][text]") {
  line_reader r("a\r\n\nlast");
  std::string_view line;
  int number = 0;
  REQUIRE(r.next(line, number));
  CHECK(line == "a");
  CHECK(number == 1);
  REQUIRE(r.next(line, number));
  CHECK(line == "");
  CHECK(number == 2);
  REQUIRE(r.next(line, number));
  CHECK(line == "last");
  CHECK(number == 3);
  CHECK_FALSE(r.next(line, number));
}

TEST_CASE("line_reader yields no line after a final newline", "[unit][text]") {
  line_reader r("a\n");
  std::string_view line;
  int number = 0;
  CHECK(r.next(line, number));
  CHECK_FALSE(r.next(line, number));
  line_reader empty("");
  CHECK_FALSE(empty.next(line, number));
}

TEST_CASE("count_newlines counts up to a position", "[unit][text]") {
  CHECK(count_newlines("a\nb\nc", 0) == 0);
  CHECK(count_newlines("a\nb\nc", 2) == 1);
  CHECK(count_newlines("a\nb\nc", 100) == 2);
}

TEST_CASE("starts_with and ends_with compare prefixes and suffixes", "[unit][text]") {
  CHECK(starts_with("migrate:up", "migrate:"));
  CHECK_FALSE(starts_with("mig", "migrate:"));
  CHECK(ends_with("x.sql", ".sql"));
  CHECK_FALSE(ends_with("sql", ".sql"));
}

TEST_CASE("Control characters in text shown to people are escaped", "[unit][text]") {
  using migration_tools::escape_control_characters;
  CHECK(escape_control_characters("red \x1b[31mtext\r\n") == "red \\x1B[31mtext\\x0D\\x0A");
  CHECK(escape_control_characters("two\nlines\r", true) == "two\nlines\\x0D");
  CHECK(escape_control_characters("café ✓ tab\tdel\x7f") == "café ✓ tab\\x09del\\x7F");
}

TEST_CASE("shell_word leaves plain words alone and single-quotes the rest", "[unit][text]") {
  CHECK(shell_word("/work/app/build") == "/work/app/build");
  CHECK(shell_word("migrate_merge") == "migrate_merge");
  CHECK(shell_word("/home/me/b space") == "'/home/me/b space'");
  CHECK(shell_word("/tmp/$HOME/x") == "'/tmp/$HOME/x'");
  CHECK(shell_word("it's") == "'it'\\''s'");
  CHECK(shell_word("") == "''");
}
