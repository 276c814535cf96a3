// Schemas (namespaces) and the objects in them.
#include <catch2/catch.hpp>

#include "schema_case.hpp"

using migration_tools::test::check_schema_case;
using migration_tools::test::schema_case;

TEST_CASE("schemas: a new schema with a table in it, a dropped one, names that need quoting",
          "[autogenerate][db]") {
  schema_case c;
  c.before = "CREATE SCHEMA old_stuff; CREATE TABLE old_stuff.things (id int);";
  c.after =
      "CREATE SCHEMA \"Billing\"; COMMENT ON SCHEMA \"Billing\" IS 'money';\n"
      "CREATE TABLE \"Billing\".\"order\" (\"user\" int, \"Total\" numeric);";
  c.detected = {"added schema 'Billing'", "removed schema 'old_stuff'",
                "added table 'Billing.order'"};
  c.upgrade_contains = {
      "CREATE SCHEMA \"Billing\";",
      "CREATE TABLE \"Billing\".\"order\" (\n    \"user\" integer,\n    \"Total\" numeric\n);",
      "DROP TABLE old_stuff.things;"};
  check_schema_case("schemas_new_dropped", c);
}
