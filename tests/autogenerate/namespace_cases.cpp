// Schemas (namespaces) and the objects in them.
#include <catch2/catch.hpp>

#include "migration_tools/schema/diff.hpp"
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

TEST_CASE("schemas: public is never created or dropped because it holds no table",
          "[autogenerate][db]") {
  // Every table in another schema, on both sides: public stays out of it.
  auto d = migration_tools::test::diff_sql("public_unused", "CREATE SCHEMA app;",
                                           "CREATE SCHEMA app; CREATE TABLE app.t (id int);");
  std::string sql = migration_tools::schema::render_sql(d);
  INFO(sql);
  CHECK(sql.find("SCHEMA public") == std::string::npos);
  CHECK(sql.find("CREATE TABLE app.t") != std::string::npos);
  // Nor when the last table leaves public, or one comes to it.
  schema_case c;
  c.before = "CREATE SCHEMA app; CREATE TABLE t (id int);";
  c.after = "CREATE SCHEMA app; CREATE TABLE app.t (id int);";
  c.upgrade_contains = {"CREATE TABLE app.t", "DROP TABLE public.t;"};
  c.same_dump = true;
  check_schema_case("public_emptied", c);
  auto back = migration_tools::test::diff_sql("public_filled", c.after, c.before);
  CHECK(migration_tools::schema::render_sql(back).find("SCHEMA public") == std::string::npos);
}
