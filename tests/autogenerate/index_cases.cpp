// Indexes: unique, partial, expression, method, INCLUDE, operator class.
#include <catch2/catch.hpp>
#include <pqxx/pqxx>

#include "../db/test_database.hpp"
#include "migration_tools/schema/diff.hpp"
#include "schema_case.hpp"

using migration_tools::test::check_schema_case;
using migration_tools::test::schema_case;

TEST_CASE("indexes: every form of index is created, changed and dropped", "[autogenerate][db]") {
  schema_case c;
  c.before =
      "CREATE TABLE t (a int, b text, c jsonb);\n"
      "CREATE INDEX t_a ON t (a);\nCREATE INDEX t_gone ON t (b);";
  c.after =
      "CREATE TABLE t (a int, b text, c jsonb);\n"
      "CREATE UNIQUE INDEX t_a ON t (a) INCLUDE (b) WHERE a > 0;\n"
      "CREATE INDEX t_lower ON t (lower(b) text_pattern_ops);\n"
      "CREATE INDEX t_c ON t USING gin (c jsonb_path_ops);\n"
      "COMMENT ON INDEX t_c IS 'for @>';";
  c.after_rewritten =
      "CREATE TABLE t (a int, b text, c jsonb);\n"
      "CREATE UNIQUE INDEX t_a ON public.t USING btree (a) INCLUDE (b) WHERE (A > 0);\n"
      "CREATE INDEX t_lower ON t (LOWER(b) text_pattern_ops);\n"
      "CREATE INDEX t_c ON t USING GIN (c jsonb_path_ops);\n"
      "COMMENT ON INDEX t_c IS 'for @>';";
  c.detected = {"changed index 'public.t_a' on 'public.t'",
                "removed index 'public.t_gone' on 'public.t'",
                "added index 'public.t_c' on 'public.t'"};
  c.upgrade_contains = {"CREATE INDEX t_c ON public.t USING gin (c jsonb_path_ops);"};
  c.hazards = {"builds an index on public.t"};
  check_schema_case("indexes_forms", c);
}

TEST_CASE(
    "indexes: one on a partitioned table is created on the table, so that every partition "
    "gets one and it is valid",
    "[autogenerate][db]") {
  const std::string table =
      "CREATE TABLE m (id int, city int) PARTITION BY RANGE (id);\n"
      "CREATE TABLE m1 PARTITION OF m FOR VALUES FROM (0) TO (10);\n"
      "CREATE TABLE m2 PARTITION OF m FOR VALUES FROM (10) TO (20);\n";
  schema_case c;
  c.before = table;
  c.after = table + "CREATE INDEX m_city ON m (city);";
  c.upgrade_contains = {"CREATE INDEX m_city ON public.m USING btree (city);"};
  check_schema_case("indexes_partitioned", c);

  auto d = migration_tools::test::diff_sql("indexes_partitioned_sql", c.before, c.after);
  std::string url = migration_tools::test::fresh_database("indexes_partitioned_applied");
  {
    pqxx::connection conn(url);
    pqxx::work tx(conn);
    tx.exec0(c.before);
    tx.exec0(migration_tools::schema::render_sql(d));
    tx.commit();
  }
  CHECK(migration_tools::test::column(url,
                                      "SELECT indisvalid FROM pg_index WHERE indexrelid = "
                                      "'m_city'::regclass")
            .at(0) == "t");
  CHECK(migration_tools::test::column(url,
                                      "SELECT count(*) FROM pg_index i JOIN pg_class c ON "
                                      "c.oid = i.indrelid WHERE c.relname IN ('m1', 'm2')")
            .at(0) == "2");
}
