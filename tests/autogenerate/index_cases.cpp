// Indexes: unique, partial, expression, method, INCLUDE, operator class.
#include <catch2/catch.hpp>

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
