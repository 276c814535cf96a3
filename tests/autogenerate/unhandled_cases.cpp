// Kinds the diff does not write yet are warnings naming the object.
#include <catch2/catch.hpp>

#include "schema_case.hpp"

using migration_tools::test::diff_sql;

TEST_CASE(
    "unhandled kinds: an aggregate, a column privilege and foreign tables are named in warnings",
    "[autogenerate][db]") {
  auto d = diff_sql("unhandled_kinds", "CREATE TABLE t (a int);",
                    "CREATE TABLE t (a int); CREATE FOREIGN DATA WRAPPER mt_nothing;\n"
                    "CREATE SERVER mt_nowhere FOREIGN DATA WRAPPER mt_nothing;\n"
                    "CREATE FOREIGN TABLE remote (a int) SERVER mt_nowhere;\n"
                    "CREATE AGGREGATE total(int) (sfunc = int4pl, stype = int);\n"
                    "GRANT SELECT (a) ON t TO PUBLIC;");
  CHECK(d.statements.empty());
  REQUIRE(d.warnings.size() == 5);
  CHECK(d.warnings[0].rfind("aggregate 'public.total(integer)' was added", 0) == 0);
  CHECK(d.warnings[1].rfind("column privilege 'public.t.a' was added", 0) == 0);
  CHECK(d.warnings[2].rfind("foreign data wrapper 'mt_nothing' was added", 0) == 0);
  CHECK(d.warnings[3].rfind("foreign server 'mt_nowhere' was added", 0) == 0);
  CHECK(d.warnings[4].rfind("foreign table 'public.remote' was added", 0) == 0);
  CHECK_FALSE(d.empty());
}
