// The SQL statement splitter: statements end at ';' only where PostgreSQL's
// lexer would end them, and each statement knows its offset and line.
#include "migration_tools/core/sql_splitter.hpp"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "migration_tools/core/text.hpp"

using namespace migration_tools;

namespace {

using strings = std::vector<std::string>;

// The statements' texts, without trailing white space.
strings texts(std::string_view sql) {
  strings out;
  for (const auto& st : split_sql(sql)) out.emplace_back(trim(st.text));
  return out;
}

std::vector<int> lines(std::string_view sql) {
  std::vector<int> out;
  for (const auto& st : split_sql(sql)) out.push_back(st.line);
  return out;
}

}  // namespace

TEST_CASE("Statements are split at semicolons", "[unit][sql]") {
  CHECK(texts("CREATE TABLE a (id int); CREATE TABLE b (id int);") ==
        strings{"CREATE TABLE a (id int)", "CREATE TABLE b (id int)"});
}

TEST_CASE("A statement's text runs from its first token up to the semicolon", "[unit][sql]") {
  auto sts = split_sql("  SELECT 1;\n\tSELECT 2 ;");
  REQUIRE(sts.size() == 2);
  CHECK(sts[0].text == "SELECT 1");
  CHECK(sts[0].offset == 2);
  CHECK(sts[1].text == "SELECT 2 ");
  CHECK(sts[1].offset == 13);
}

TEST_CASE("Text after the last semicolon is a statement of its own", "[unit][sql]") {
  CHECK(texts("SELECT 1; SELECT 2") == strings{"SELECT 1", "SELECT 2"});
  CHECK(texts("SELECT 1") == strings{"SELECT 1"});
}

TEST_CASE("Empty input and input of only white space and comments give no statements",
          "[unit][sql]") {
  CHECK(split_sql("").empty());
  CHECK(split_sql("  \n\t\n").empty());
  CHECK(split_sql("-- just a comment\n/* and another */\n").empty());
  CHECK(split_sql(";;\n;").empty());
  CHECK(texts("-- only a comment\n;\nSELECT 1;\n/* trailing */;") == strings{"SELECT 1"});
}

TEST_CASE("A semicolon in a line comment does not end the statement", "[unit][sql]") {
  CHECK(texts("SELECT 1 -- one; two\n+ 1;\nSELECT 2;") ==
        strings{"SELECT 1 -- one; two\n+ 1", "SELECT 2"});
}

TEST_CASE("A comment before a statement is not part of it", "[unit][sql]") {
  auto sts = split_sql("-- heading; with semicolon\n/* block; */ SELECT 1;");
  REQUIRE(sts.size() == 1);
  CHECK(sts[0].text == "SELECT 1");
  CHECK(sts[0].line == 2);
}

TEST_CASE("Block comments nest", "[unit][sql]") {
  CHECK(texts("SELECT /* outer /* inner; */ still a comment; */ 1; SELECT 2;") ==
        strings{"SELECT /* outer /* inner; */ still a comment; */ 1", "SELECT 2"});
  CHECK(texts("/* a /* b /* c; */ */ */ SELECT 3;") == strings{"SELECT 3"});
}

TEST_CASE("An unterminated block comment runs to the end", "[unit][sql]") {
  CHECK(texts("SELECT 1; /* never closed; SELECT 2;") == strings{"SELECT 1"});
}

TEST_CASE("A semicolon in a string does not end the statement", "[unit][sql]") {
  CHECK(texts("INSERT INTO t VALUES ('a;b'); SELECT 2;") ==
        strings{"INSERT INTO t VALUES ('a;b')", "SELECT 2"});
}

TEST_CASE("Doubled quotes in a string are an escaped quote", "[unit][sql]") {
  CHECK(texts("SELECT 'it''s; fine'; SELECT 2;") == strings{"SELECT 'it''s; fine'", "SELECT 2"});
  CHECK(texts("SELECT ''''; SELECT 2;") == strings{"SELECT ''''", "SELECT 2"});
}

TEST_CASE("A backslash in an ordinary string is just a character", "[unit][sql]") {
  // standard_conforming_strings: 'C:\' is a complete string.
  CHECK(texts("SELECT 'C:\\'; SELECT 2;") == strings{"SELECT 'C:\\'", "SELECT 2"});
}

TEST_CASE("A backslash escapes a quote in an E'' string", "[unit][sql]") {
  CHECK(texts("SELECT E'it\\'s; fine'; SELECT 2;") ==
        strings{"SELECT E'it\\'s; fine'", "SELECT 2"});
  CHECK(texts("SELECT e'\\\\'; SELECT 2;") == strings{"SELECT e'\\\\'", "SELECT 2"});
  CHECK(texts("SELECT E'a''b;\\\\'; SELECT 2;") == strings{"SELECT E'a''b;\\\\'", "SELECT 2"});
}

TEST_CASE("An identifier ending in e before a string does not make an E'' string", "[unit][sql]") {
  // `some'...'` is the identifier `some` and a standard string, where '\' is literal.
  CHECK(texts("SELECT some'x\\'; SELECT 2;") == strings{"SELECT some'x\\'", "SELECT 2"});
}

TEST_CASE("A semicolon in a quoted identifier does not end the statement", "[unit][sql]") {
  CHECK(texts("CREATE TABLE \"we;ird\"\"name\" (id int); SELECT 2;") ==
        strings{"CREATE TABLE \"we;ird\"\"name\" (id int)", "SELECT 2"});
}

TEST_CASE("Comment markers inside strings and identifiers are not comments", "[unit][sql]") {
  CHECK(texts("SELECT '--not a comment;'; SELECT \"/*\"; SELECT 3;") ==
        strings{"SELECT '--not a comment;'", "SELECT \"/*\"", "SELECT 3"});
}

TEST_CASE("An unterminated string runs to the end", "[unit][sql]") {
  CHECK(texts("SELECT 1; SELECT 'open; SELECT 2;") ==
        strings{"SELECT 1", "SELECT 'open; SELECT 2;"});
}

TEST_CASE("$$ dollar quoting hides semicolons", "[unit][sql]") {
  const char* sql =
      "CREATE FUNCTION f() RETURNS int AS $$\n"
      "BEGIN\n"
      "  RETURN 1;\n"
      "END;\n"
      "$$ LANGUAGE plpgsql;\n"
      "SELECT f();\n";
  auto out = texts(sql);
  REQUIRE(out.size() == 2);
  CHECK(out[0] ==
        "CREATE FUNCTION f() RETURNS int AS $$\nBEGIN\n  RETURN 1;\nEND;\n$$ LANGUAGE plpgsql");
  CHECK(out[1] == "SELECT f()");
}

TEST_CASE("A tagged dollar quote ends only at the same tag", "[unit][sql]") {
  const char* sql =
      "DO $body$\n"
      "BEGIN\n"
      "  EXECUTE $$SELECT ';'$$;\n"
      "  PERFORM $BODY$ x; $BODY$;\n"
      "END\n"
      "$body$;\n"
      "SELECT 2;";
  auto sts = split_sql(sql);
  REQUIRE(sts.size() == 2);
  CHECK_THAT(std::string(sts[0].text), Catch::Matchers::EndsWith("END\n$body$"));
  CHECK(sts[1].text == "SELECT 2");
  CHECK(sts[1].line == 7);
}

TEST_CASE("Positional parameters and dollar signs in identifiers are not dollar quotes",
          "[unit][sql]") {
  CHECK(texts("PREPARE p AS SELECT $1; SELECT 2;") ==
        strings{"PREPARE p AS SELECT $1", "SELECT 2"});
  CHECK(texts("SELECT a$b$c FROM t; SELECT 2;") == strings{"SELECT a$b$c FROM t", "SELECT 2"});
}

TEST_CASE("An unterminated dollar quote runs to the end", "[unit][sql]") {
  CHECK(texts("SELECT 1; SELECT $x$ open; SELECT 2;") ==
        strings{"SELECT 1", "SELECT $x$ open; SELECT 2;"});
}

TEST_CASE("Semicolons inside a BEGIN ATOMIC body do not end the statement", "[unit][sql]") {
  const char* sql =
      "CREATE FUNCTION add_one(i int) RETURNS int LANGUAGE sql\n"
      "BEGIN ATOMIC\n"
      "  SELECT i + 1;\n"
      "  SELECT CASE WHEN i > 0 THEN 1 ELSE 0 END;\n"
      "END;\n"
      "SELECT add_one(1);\n";
  auto sts = split_sql(sql);
  REQUIRE(sts.size() == 2);
  CHECK_THAT(std::string(sts[0].text), Catch::Matchers::StartsWith("CREATE FUNCTION add_one"));
  CHECK_THAT(std::string(sts[0].text), Catch::Matchers::EndsWith("ELSE 0 END;\nEND"));
  CHECK(sts[1].text == "SELECT add_one(1)");
  CHECK(sts[1].line == 6);
}

TEST_CASE("BEGIN ATOMIC is recognised in any case and across comments", "[unit][sql]") {
  CHECK(texts("create procedure p() language sql begin /* c */ atomic insert into t values (1); "
              "insert into t values (2); end; call p();")
            .size() == 2);
  CHECK(texts("CREATE PROCEDURE p() BEGIN\n-- body\nATOMIC SELECT 1; END; SELECT 2;").size() == 2);
}

TEST_CASE("A plain BEGIN is a statement of its own", "[unit][sql]") {
  CHECK(texts("BEGIN; SELECT 1; COMMIT;") == strings{"BEGIN", "SELECT 1", "COMMIT"});
}

TEST_CASE("A column named atomic after a BEGIN statement does not start a body", "[unit][sql]") {
  CHECK(texts("BEGIN;\nSELECT atomic FROM t; SELECT 2;") ==
        strings{"BEGIN", "SELECT atomic FROM t", "SELECT 2"});
}

TEST_CASE("Each statement knows the line of its first token", "[unit][sql]") {
  const char* sql =
      "-- migration\n"                      // 1
      "CREATE TABLE a (\n"                  // 2
      "  id int\n"                          // 3
      ");\n"                                // 4
      "\n"                                  // 5
      "/* a block\n"                        // 6
      "   comment */\n"                     // 7
      "INSERT INTO a VALUES (1), -- one\n"  // 8
      "  (2);  SELECT 'multi\n"             // 9
      "line'; SELECT\n"                     // 10
      "3;";                                 // 11
  CHECK(lines(sql) == std::vector<int>{2, 8, 9, 10});
}

TEST_CASE("Line numbers count lines inside strings, dollar quotes and comments", "[unit][sql]") {
  CHECK(lines("SELECT $$\n\n$$;\nSELECT 'a\nb';\n/*\n*/SELECT 3;") == std::vector<int>{1, 4, 7});
}

TEST_CASE("Offsets point at each statement's first token in the input", "[unit][sql]") {
  std::string sql = "SELECT 1;\n-- c\n  UPDATE t SET x = 1;";
  auto sts = split_sql(sql);
  REQUIRE(sts.size() == 2);
  CHECK(sts[1].offset == sql.find("UPDATE"));
  CHECK(sts[1].text.data() == sql.data() + sts[1].offset);
  CHECK(sts[1].line == 3);
}

TEST_CASE("CRLF line endings do not disturb splitting or lines", "[unit][sql]") {
  auto sts = split_sql("SELECT 1;\r\n-- c;\r\nSELECT 2;\r\n");
  REQUIRE(sts.size() == 2);
  CHECK(sts[0].text == "SELECT 1");
  CHECK(sts[1].text == "SELECT 2");
  CHECK(sts[1].line == 3);
}

TEST_CASE("A semicolon inside parentheses does not end the statement", "[unit][sql]") {
  // As in psql: a rule with several actions lists them in parentheses.
  CHECK(texts("CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO a VALUES (1); "
              "INSERT INTO b VALUES (2)); SELECT 2;") ==
        strings{"CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO a VALUES (1); "
                "INSERT INTO b VALUES (2))",
                "SELECT 2"});
}

TEST_CASE("A stray closing parenthesis does not stop later statements from splitting",
          "[unit][sql]") {
  CHECK(texts("SELECT 1); SELECT (2); SELECT 3;") ==
        strings{"SELECT 1)", "SELECT (2)", "SELECT 3"});
}

TEST_CASE("Parentheses in strings, identifiers and comments are not counted", "[unit][sql]") {
  CHECK(texts("SELECT '(' AS \"(\" /* ( */ -- (\n; SELECT 2;") ==
        strings{"SELECT '(' AS \"(\" /* ( */ -- (", "SELECT 2"});
}

// Read by PostgreSQL's scanner: what it reads differently from a naive lexer.

TEST_CASE("Statements are read as PostgreSQL's scanner reads them", "[unit][sql]") {
  // U&'' and U&"" escapes, b'' and x'' strings, an operator that holds '-'
  // and '*' without starting a comment.
  CHECK(texts("SELECT U&'d\\0061;t'; SELECT U&\"a;b\"; SELECT b'1;'; SELECT 2;") ==
        strings{"SELECT U&'d\\0061;t'", "SELECT U&\"a;b\"", "SELECT b'1;'", "SELECT 2"});
  CHECK(texts("SELECT 1 +-- c;\n 2; SELECT 3 */* c; */ 4;") ==
        strings{"SELECT 1 +-- c;\n 2", "SELECT 3 */* c; */ 4"});
  // `$1$` is a parameter followed by `$`, not a dollar quote's opening.
  CHECK(texts("SELECT $_$;$_$; SELECT 2;") == strings{"SELECT $_$;$_$", "SELECT 2"});
}

TEST_CASE("What the scanner refuses is left to the server, and splitting goes on after it",
          "[unit][sql]") {
  // PostgreSQL 15 refuses `1abc` (trailing junk after a number): the server
  // reports it when the statement runs; the next statement is still found.
  auto sts = split_sql("SELECT 1abc; SELECT 2;\nSELECT 3;");
  REQUIRE(sts.size() == 3);
  CHECK(sts[0].text == "SELECT 1abc");
  CHECK(sts[1].text == "SELECT 2");
  CHECK(sts[2].text == "SELECT 3");
  CHECK(sts[2].line == 2);
  CHECK(find_lexical_problems("SELECT 1abc; SELECT 2;").empty());
  // The refused text may be the statement's first.
  CHECK(texts("9x; SELECT 2;") == strings{"9x", "SELECT 2"});
}

TEST_CASE(
    "Unterminated strings, identifiers, dollar quotes and comments are problems at their "
    "opening",
    "[unit][sql]") {
  using kind = sql_lexical_problem::kind;
  struct expected {
    std::string sql;
    kind what;
    size_t offset;
  };
  for (const auto& e : std::vector<expected>{
           {"SELECT 1; SELECT 'open; SELECT 2;", kind::unterminated_quote, 17},
           {"SELECT \"open", kind::unterminated_quote, 7},
           {"SELECT E'x\\'", kind::unterminated_quote, 7},
           {"SELECT $x$ open", kind::unterminated_dollar, 7},
           {"SELECT 1; /* open", kind::unterminated_comment, 10},
       }) {
    INFO(e.sql);
    auto split = split_sql_with_problems(e.sql);
    REQUIRE(split.problems.size() == 1);
    CHECK(split.problems[0].what == e.what);
    CHECK(split.problems[0].offset == e.offset);
  }
}

TEST_CASE("A problem's offset counts bytes where the scanner counts characters", "[unit][sql]") {
  // "é" and "€" are 2 and 3 bytes; the scanner's position is in characters.
  std::string sql = "SELECT 'é€'; SELECT 'open";
  auto problems = find_lexical_problems(sql);
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].offset == sql.rfind('\''));
}

TEST_CASE("A backslash outside strings and comments is a problem, inside them it is not",
          "[unit][sql]") {
  std::string sql = "SELECT 'a\\b', E'\\n' /* \\ */ -- \\\n; \\i file.sql\nSELECT 2;";
  auto split = split_sql_with_problems(sql);
  REQUIRE(split.problems.size() == 1);
  CHECK(split.problems[0].what == sql_lexical_problem::kind::backslash);
  CHECK(split.problems[0].offset == sql.find("\\i"));
  CHECK(split.statements.size() == 2);
}

TEST_CASE("A NUL byte is a character like another, and nothing after it is lost", "[unit][sql]") {
  std::string sql("SELECT 1;\0SELECT 2; SELECT 3;", 29);
  auto sts = split_sql(sql);
  REQUIRE(sts.size() == 3);
  CHECK(sts[0].text == "SELECT 1");
  CHECK(sts[1].offset == 9);
  CHECK(sts[1].text == std::string_view("\0SELECT 2", 9));
  CHECK(sts[2].text == "SELECT 3");
}

TEST_CASE("Bytes that are no UTF-8 do not stop the splitting", "[unit][sql]") {
  // The scanner refuses them without saying where; the server refuses the
  // statement that holds them, and the others run.
  CHECK(texts("SELECT 'a\xa7'; SELECT b\xff\xfe; SELECT \xe9t\xe9;\nSELECT 4;") ==
        strings{"SELECT 'a\xa7'", "SELECT b\xff\xfe", "SELECT \xe9t\xe9", "SELECT 4"});
  CHECK(lines("SELECT '\xc0\x80';\nSELECT 2;") == std::vector<int>{1, 2});
}
