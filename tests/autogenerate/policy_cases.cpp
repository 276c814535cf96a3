// Row-level security policies.
#include <catch2/catch.hpp>

#include "schema_case.hpp"

using migration_tools::test::check_schema_case;
using migration_tools::test::schema_case;

TEST_CASE("policies: created after their table, changed by drop and create", "[autogenerate][db]") {
  schema_case c;
  c.before =
      "CREATE TABLE docs (owner text, public boolean);\n"
      "ALTER TABLE docs ENABLE ROW LEVEL SECURITY;\n"
      "CREATE POLICY mine ON docs USING (owner = current_user);";
  c.after =
      "CREATE TABLE docs (owner text, public boolean);\n"
      "ALTER TABLE docs ENABLE ROW LEVEL SECURITY;\n"
      "CREATE POLICY mine ON docs FOR UPDATE USING (owner = current_user) WITH CHECK (owner = "
      "current_user);\n"
      "CREATE POLICY visible ON docs AS RESTRICTIVE FOR SELECT TO PUBLIC USING (public OR owner = "
      "current_user);\n"
      "COMMENT ON POLICY visible ON docs IS 'public or mine';";
  c.detected = {"changed policy 'mine' on 'public.docs'",
                "added policy 'visible' on 'public.docs'"};
  c.upgrade_contains = {
      "DROP POLICY mine ON public.docs;",
      "CREATE POLICY visible ON public.docs AS RESTRICTIVE FOR SELECT TO PUBLIC USING ("};
  check_schema_case("policies", c);
}
