// A section's statements: the bounds the build's scanner embedded when the
// runner has them, PostgreSQL's scanner at run time when it does not.
#include "migration_tools/core/section_statements.hpp"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

using namespace migration_tools;

namespace {

sql_section section_of(std::string text) {
  sql_section s;
  s.present = true;
  s.first_line = 5;
  s.text = std::move(text);
  return s;
}

}  // namespace

TEST_CASE("Embedded statement bounds are taken as they are, without scanning again",
          "[unit][sql]") {
  auto s = section_of("SELECT 1;\nSELECT 2;\n");
  // Bounds that differ from what a scan finds prove that no scan happened.
  const long long bounds[] = {0, 6, 1, 10, 8, 2};
  s.known_statements = bounds;
  s.known_statement_count = 2;
  auto statements = section_statements(s);
  REQUIRE(statements.size() == 2);
  CHECK(statements[0].text == "SELECT");
  CHECK(statements[1].text == "SELECT 2");
  CHECK(statements[1].offset == 10);
  CHECK(statements[1].line == 2);
  CHECK(statements[1].text.data() == s.text.data() + 10);
  // The build's scanner refused whatever psql reads differently, so none is
  // looked for again.
  s.text = "SELECT 1;\n\\i x\n";
  CHECK(section_lexical_problems(s).empty());
}

TEST_CASE("Without embedded bounds, or with bounds past the text, the section is scanned",
          "[unit][sql]") {
  auto s = section_of("SELECT 1;\n\\i x\n");
  CHECK(section_statements(s).size() == 2);
  auto split = section_split(s);
  REQUIRE(split.problems.size() == 1);
  CHECK(split.problems[0].what == sql_lexical_problem::kind::backslash);

  auto t = section_of("SELECT 1;");
  const long long past[] = {0, 40, 1};
  t.known_statements = past;
  t.known_statement_count = 1;
  auto statements = section_statements(t);
  REQUIRE(statements.size() == 1);
  CHECK(statements[0].text == "SELECT 1");
}

TEST_CASE("statement_bounds gives three numbers per statement", "[unit][sql]") {
  std::string text = "SELECT 1;\n  SELECT 22";
  CHECK(statement_bounds(split_sql(text)) == std::vector<long long>{0, 8, 1, 12, 9, 2});
}
