// Issue 30, item 3: a generated migration is right whatever the server's
// settings. A comment holding a backslash and a quote is written as an E''
// literal, so that on a database whose default is standard_conforming_strings
// = off it stays a comment instead of ending the literal and running the rest.
#include <catch2/catch.hpp>
#include <pqxx/pqxx>

#include "../db/test_database.hpp"
#include "migration_tools/schema/diff.hpp"
#include "schema_case.hpp"

using namespace migration_tools;
using namespace migration_tools::test;

TEST_CASE("a generated comment with a backslash and a quote cannot drop a table",
          "[autogenerate][db][security]") {
  const std::string hostile = "x\\'; DROP TABLE t; --";
  auto diff =
      diff_sql("literal_comment", "CREATE TABLE t (id int);",
               "CREATE TABLE t (id int);\nCOMMENT ON TABLE t IS E'x\\\\''; DROP TABLE t; --';");
  std::string sql = schema::render_sql(diff);
  INFO(sql);
  CHECK(sql.find("IS E'x\\\\''; DROP TABLE t; --';") != std::string::npos);

  std::string url = fresh_database("literal_comment_off");
  column(url, "ALTER DATABASE literal_comment_off SET standard_conforming_strings = off");
  column(url, "CREATE TABLE t (id int)");
  {
    pqxx::connection c(url);
    REQUIRE(
        pqxx::nontransaction(c).exec1("SHOW standard_conforming_strings")[0].as<std::string>() ==
        "off");
    pqxx::work tx(c);
    tx.exec0(sql);
    tx.commit();
  }
  CHECK(table_exists(url, "t"));
  CHECK(column(url, "SELECT obj_description('t'::regclass, 'pg_class')").at(0) == hostile);
}
