// Kinds the diff does not write yet are warnings naming the object.
#include <catch2/catch.hpp>

#include "schema_case.hpp"

using migration_tools::test::diff_sql;

TEST_CASE("unhandled kinds: a domain, a composite type and a policy are named in warnings",
          "[autogenerate][db]") {
  auto d = diff_sql("unhandled_kinds", "CREATE TABLE t (a int);",
                    "CREATE TABLE t (a int); CREATE DOMAIN positive AS int CHECK (VALUE > 0);\n"
                    "CREATE TYPE pair AS (a int, b int);\n"
                    "CREATE POLICY mine ON t USING (a > 0);");
  CHECK(d.statements.empty());
  REQUIRE(d.warnings.size() == 3);
  CHECK(d.warnings[0].rfind("composite type 'public.pair' was added", 0) == 0);
  CHECK(d.warnings[1].rfind("domain 'public.positive' was added", 0) == 0);
  CHECK(d.warnings[2].rfind("policy 'public.t.mine' was added", 0) == 0);
  CHECK_FALSE(d.empty());
}
