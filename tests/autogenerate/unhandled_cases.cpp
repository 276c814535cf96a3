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

TEST_CASE(
    "unhandled kinds: an operator, a rule and a statistics object are named in "
    "warnings, never changed in silence",
    "[autogenerate][db]") {
  auto d = diff_sql("unhandled_more", "CREATE TABLE t (a int, b int);",
                    "CREATE TABLE t (a int, b int);\n"
                    "CREATE FUNCTION mt_eq(int, int) RETURNS boolean LANGUAGE sql "
                    "AS 'SELECT $1 = $2';\n"
                    "CREATE OPERATOR === (leftarg = int, rightarg = int, function = mt_eq);\n"
                    "CREATE RULE t_quiet AS ON DELETE TO t DO INSTEAD NOTHING;\n"
                    "CREATE STATISTICS t_ab (dependencies) ON a, b FROM t;");
  std::string all;
  for (const auto& w : d.warnings) all += w + "\n";
  INFO(all);
  CHECK(all.find("operator 'public.===(integer, integer)' was added") != std::string::npos);
  CHECK(all.find("rule 'public.t.t_quiet' was added") != std::string::npos);
  CHECK(all.find("statistics object 'public.t_ab' was added") != std::string::npos);
}
