// Functions, procedures and triggers; functions used by defaults and checks.
#include <catch2/catch.hpp>

#include "migration_tools/schema/diff.hpp"
#include "schema_case.hpp"

using migration_tools::test::check_schema_case;
using migration_tools::test::diff_sql;
using migration_tools::test::schema_case;

TEST_CASE("functions: a function used by a default and a check comes before the table",
          "[autogenerate][db]") {
  schema_case c;
  c.before = "";
  // As in a declared schema, which is loaded the way pg_dump's output is.
  c.after =
      "SET check_function_bodies = off;\n"
      "CREATE FUNCTION next_code() RETURNS text LANGUAGE sql AS $$ SELECT 'c' || count(*) FROM "
      "codes $$;\n"
      "CREATE FUNCTION positive(n int) RETURNS boolean LANGUAGE sql IMMUTABLE RETURN n > 0;\n"
      "CREATE TABLE codes (code text DEFAULT next_code(), n int CHECK (positive(n)));\n"
      "CREATE PROCEDURE reset_codes() LANGUAGE sql AS $$ DELETE FROM codes $$;\n"
      "COMMENT ON FUNCTION positive(int) IS 'n > 0';";
  c.detected = {"added function 'public.next_code()'",
                "added function 'public.positive(n integer)'",
                "added procedure 'public.reset_codes()'"};
  c.upgrade_contains = {"SET LOCAL check_function_bodies = off;",
                        "COMMENT ON FUNCTION public.positive(n integer) IS 'n > 0';"};
  check_schema_case("functions_defaults", c);
}

TEST_CASE("functions: a changed body is replaced in place, and a changed result type is recreated",
          "[autogenerate][db]") {
  schema_case c;
  c.before =
      "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';\n"
      "CREATE FUNCTION g() RETURNS int LANGUAGE sql AS 'SELECT 1';\n"
      "CREATE FUNCTION gone(a int, b int) RETURNS int LANGUAGE plpgsql AS $$BEGIN RETURN a + b; "
      "END$$;";
  c.after =
      "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 2';\n"
      "CREATE FUNCTION g() RETURNS bigint LANGUAGE sql AS 'SELECT 1::bigint';";
  c.detected = {"changed function 'public.f()'",
                "removed function 'public.gone(a integer, b integer)'"};
  c.upgrade_contains = {"DROP FUNCTION public.g();",
                        "DROP FUNCTION public.gone(a integer, b integer);",
                        "CREATE OR REPLACE FUNCTION public.f()"};
  check_schema_case("functions_replace", c);
}

TEST_CASE("triggers: created after their function and table, changed by drop and create",
          "[autogenerate][db]") {
  schema_case c;
  c.before =
      "CREATE TABLE t (a int, changed_at timestamptz);\n"
      "CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN NEW.changed_at = now(); "
      "RETURN NEW; END$$;\n"
      "CREATE TRIGGER t_touch BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION touch();";
  c.after =
      "CREATE TABLE t (a int, changed_at timestamptz);\n"
      "CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN NEW.changed_at = now(); "
      "RETURN NEW; END$$;\n"
      "CREATE TRIGGER t_touch BEFORE INSERT OR UPDATE ON t FOR EACH ROW WHEN (NEW.a IS NOT NULL) "
      "EXECUTE FUNCTION touch();\n"
      "CREATE TABLE u (a int);\n"
      "CREATE TRIGGER u_touch AFTER DELETE ON u FOR EACH STATEMENT EXECUTE FUNCTION touch();\n"
      "COMMENT ON TRIGGER u_touch ON u IS 'audit';";
  c.detected = {"changed trigger 't_touch' on 'public.t'", "added trigger 'u_touch' on 'public.u'"};
  c.upgrade_contains = {"DROP TRIGGER t_touch ON public.t;",
                        "COMMENT ON TRIGGER u_touch ON public.u IS 'audit';"};
  check_schema_case("triggers", c);
}

TEST_CASE("functions: a function over a table's row type comes after the table and goes before it",
          "[autogenerate][db]") {
  schema_case c;
  c.before = "CREATE TABLE kept (id int);";
  c.after =
      "CREATE TABLE kept (id int);\nCREATE TABLE items (id int, name text);\n"
      "CREATE VIEW named AS SELECT id, name FROM items WHERE name IS NOT NULL;\n"
      "CREATE FUNCTION all_items() RETURNS SETOF items LANGUAGE sql AS 'SELECT * FROM items';\n"
      "CREATE FUNCTION label(i named) RETURNS text LANGUAGE sql AS 'SELECT i.name';\n"
      "CREATE FUNCTION count_items() RETURNS bigint LANGUAGE sql AS 'SELECT count(*) FROM items';";
  c.detected = {"added function 'public.all_items()'",
                "added function 'public.label(i public.named)'"};
  check_schema_case("functions_row_types", c);
}

TEST_CASE(
    "triggers: one that names a retyped column (UPDATE OF, WHEN) is dropped and created "
    "again around the change",
    "[autogenerate][db]") {
  const std::string function =
      "CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;\n";
  schema_case c;
  c.before = "CREATE TABLE t (price int, qty int);\n" + function +
             "CREATE TRIGGER t_price BEFORE UPDATE OF price ON t FOR EACH ROW "
             "EXECUTE FUNCTION touch();\n"
             "CREATE TRIGGER t_qty BEFORE UPDATE ON t FOR EACH ROW WHEN (NEW.qty > 0) "
             "EXECUTE FUNCTION touch();";
  c.after = "CREATE TABLE t (price numeric(12,2), qty bigint);\n" + function +
            "CREATE TRIGGER t_price BEFORE UPDATE OF price ON t FOR EACH ROW "
            "EXECUTE FUNCTION touch();\n"
            "CREATE TRIGGER t_qty BEFORE UPDATE ON t FOR EACH ROW WHEN (NEW.qty > 0) "
            "EXECUTE FUNCTION touch();";
  c.upgrade_contains = {"DROP TRIGGER t_price ON public.t;", "DROP TRIGGER t_qty ON public.t;",
                        "CREATE TRIGGER t_price BEFORE UPDATE OF price ON public.t"};
  check_schema_case("triggers_retyped_column", c);
}

TEST_CASE("functions: a body that stops calling a dropped function is replaced before the drop",
          "[autogenerate][db]") {
  const std::string add =
      "CREATE FUNCTION add(a int, b int) RETURNS int LANGUAGE sql IMMUTABLE RETURN a + b;\n";
  schema_case c;
  c.before = add +
             "CREATE FUNCTION bump(i int) RETURNS int LANGUAGE sql IMMUTABLE RETURN i + 1;\n"
             "CREATE FUNCTION total(a int, b int) RETURNS int LANGUAGE sql IMMUTABLE "
             "RETURN add(a, b) + bump(a);";
  c.after = add +
            "CREATE FUNCTION total(a int, b int) RETURNS int LANGUAGE sql IMMUTABLE "
            "RETURN add(a, b);";
  c.upgrade_contains = {"DROP FUNCTION public.bump(i integer);"};
  check_schema_case("functions_replaced_before_drop", c);
  auto d = diff_sql("functions_replaced_before_drop_order", c.before, c.after);
  std::string sql = migration_tools::schema::render_sql(d);
  INFO(sql);
  CHECK(sql.find("CREATE OR REPLACE FUNCTION public.total") <
        sql.find("DROP FUNCTION public.bump"));
}

TEST_CASE(
    "functions: SQL-standard bodies are created after the functions they call and dropped "
    "before them, whatever their names",
    "[autogenerate][db]") {
  // pg-schema-diff's "add and drop functions with dependencies (conflicting
  // schemas)": a body that calls another depends on it (pg_depend), so the
  // order comes from the catalog, not from the names. One caller sorts
  // before its callee and one after.
  auto functions = [](const std::string& schema) {
    return "CREATE FUNCTION " + schema + ".z_add(a int, b int) RETURNS int LANGUAGE sql " +
           "IMMUTABLE RETURN a + b;\n" + "CREATE FUNCTION " + schema +
           ".a_total(a int, b int) RETURNS int LANGUAGE sql RETURN " + schema +
           ".z_add(a, b) + 1;\n" + "CREATE FUNCTION " + schema +
           ".a_inc(i int) RETURNS int LANGUAGE sql IMMUTABLE RETURN i + 1;\n" + "CREATE FUNCTION " +
           schema + ".z_twice(i int) RETURNS int LANGUAGE sql BEGIN ATOMIC " + "SELECT " + schema +
           ".a_inc(" + schema + ".a_inc(i)); END;\n";
  };
  schema_case c;
  c.before = "CREATE SCHEMA s1;\n" + functions("s1");
  c.after = "CREATE SCHEMA s2;\n" + functions("s2");
  c.detected = {"removed function 's1.a_total(a integer, b integer)'",
                "added function 's2.a_total(a integer, b integer)'"};
  check_schema_case("functions_call_order", c);
}
