// Views and materialized views: dependency order, options, and views over
// changed columns dropped and created again around the change.
#include <catch2/catch.hpp>

#include "schema_case.hpp"

using migration_tools::test::check_schema_case;
using migration_tools::test::schema_case;

TEST_CASE("views: views over views are created after what they read and dropped before",
          "[autogenerate][db]") {
  schema_case c;
  c.before = "CREATE TABLE t (a int, b text);";
  c.after =
      "CREATE TABLE t (a int, b text);\n"
      "CREATE VIEW v1 AS SELECT a, b FROM t WHERE a > 0;\n"
      "CREATE VIEW v2 WITH (security_barrier) AS SELECT a FROM v1 WITH LOCAL CHECK OPTION;\n"
      "CREATE MATERIALIZED VIEW m AS SELECT b, count(*) AS n FROM v1 GROUP BY b;\n"
      "CREATE UNIQUE INDEX m_b ON m (b);\nCOMMENT ON VIEW v1 IS 'positive';";
  c.after_rewritten =
      "CREATE TABLE t (a int, b text);\n"
      "create view v1 as select A, B from T where (A > 0);\n"
      "create view v2 with (security_barrier = true) as select a from v1 with local check option;\n"
      "create materialized view m as select b, COUNT(*) n from v1 group by 1;\n"
      "create unique index m_b on m using btree (b);\ncomment on view v1 is 'positive';";
  c.detected = {"added view 'public.v1'", "added view 'public.v2'",
                "added materialized view 'public.m'", "added index 'public.m_b' on 'public.m'"};
  c.upgrade_contains = {"CREATE VIEW public.v2 WITH (security_barrier=true) AS",
                        "WITH LOCAL CHECK OPTION;"};
  check_schema_case("views_order", c);
}

TEST_CASE("views: a view over a changed or dropped column is dropped and created around it",
          "[autogenerate][db]") {
  schema_case c;
  c.before =
      "CREATE TABLE t (a int, b text, gone int);\n"
      "CREATE VIEW v AS SELECT a, b FROM t;\nCREATE VIEW w AS SELECT a FROM v;\n"
      "CREATE VIEW untouched AS SELECT b FROM t;\n"
      "CREATE MATERIALIZED VIEW m AS SELECT a FROM t; CREATE INDEX m_a ON m (a);";
  c.after =
      "CREATE TABLE t (a bigint, b text);\n"
      "CREATE VIEW v AS SELECT a, b FROM t;\nCREATE VIEW w AS SELECT a FROM v;\n"
      "CREATE VIEW untouched AS SELECT b FROM t;\n"
      "CREATE MATERIALIZED VIEW m AS SELECT a FROM t; CREATE INDEX m_a ON m (a);";
  c.upgrade_contains = {"DROP VIEW public.w;\nDROP VIEW public.v;",
                        "ALTER TABLE public.t ALTER COLUMN a TYPE bigint",
                        "CREATE INDEX m_a ON public.m USING btree (a);"};
  check_schema_case("views_reshaped", c);
  auto d = migration_tools::test::diff_sql("views_reshaped_plain", c.before, c.after);
  CHECK(migration_tools::schema::render_sql(d).find("untouched") == std::string::npos);
}

TEST_CASE("views: a view over a view that becomes a table is recreated around it, both ways",
          "[autogenerate][db]") {
  // migra's dependencies2, the other way round: the downgrade failed with
  // "cannot drop view data because other objects depend on it".
  schema_case c;
  c.before =
      "CREATE TABLE t_data (id int, name text);\n"
      "CREATE VIEW data AS SELECT * FROM t_data;\n"
      "CREATE VIEW q AS SELECT * FROM data;";
  c.after =
      "CREATE TABLE data (id int, name text);\n"
      "CREATE VIEW q AS SELECT * FROM data;";
  c.detected = {"removed view 'public.data'", "added table 'public.data'",
                "removed table 'public.t_data'"};
  c.upgrade_contains = {"DROP VIEW public.q;", "DROP VIEW public.data;", "CREATE VIEW public.q AS"};
  check_schema_case("views_view_becomes_table", c);
}
