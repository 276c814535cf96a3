// Kinds the diff does not write yet are warnings naming the object.
#include <catch2/catch.hpp>

#include "schema_case.hpp"

using migration_tools::test::diff_sql;

TEST_CASE(
    "unhandled kinds: a range type, an aggregate and a column privilege are named in warnings",
    "[autogenerate][db]") {
  auto d = diff_sql("unhandled_kinds", "CREATE TABLE t (a int);",
                    "CREATE TABLE t (a int); CREATE TYPE span AS RANGE (subtype = int8);\n"
                    "CREATE AGGREGATE total(int) (sfunc = int4pl, stype = int);\n"
                    "GRANT SELECT (a) ON t TO PUBLIC;");
  CHECK(d.statements.empty());
  REQUIRE(d.warnings.size() == 3);
  CHECK(d.warnings[0].rfind("aggregate 'public.total(integer)' was added", 0) == 0);
  CHECK(d.warnings[1].rfind("column privilege 'public.t.a' was added", 0) == 0);
  CHECK(d.warnings[2].rfind("range type 'public.span' was added", 0) == 0);
  CHECK_FALSE(d.empty());
}
