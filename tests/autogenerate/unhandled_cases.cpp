// Kinds the diff does not write yet are warnings naming the object.
#include <catch2/catch.hpp>

#include "schema_case.hpp"

using migration_tools::test::diff_sql;

TEST_CASE("unhandled kinds: a view, an enum and a function that changed are named in warnings",
          "[autogenerate][db]") {
  auto d = diff_sql("unhandled_kinds", "CREATE TABLE t (a int);",
                    "CREATE TABLE t (a int); CREATE VIEW v AS SELECT a FROM t;\n"
                    "CREATE TYPE mood AS ENUM ('sad', 'happy');\n"
                    "CREATE FUNCTION one() RETURNS int LANGUAGE sql AS 'SELECT 1';");
  CHECK(d.statements.empty());
  REQUIRE(d.warnings.size() == 3);
  CHECK(d.warnings[0].rfind("enum 'public.mood' was added", 0) == 0);
  CHECK(d.warnings[1].rfind("function 'public.one()' was added", 0) == 0);
  CHECK(d.warnings[2].rfind("view 'public.v' was added", 0) == 0);
  CHECK_FALSE(d.empty());
}
