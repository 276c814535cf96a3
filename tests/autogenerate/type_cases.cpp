// Domains, composite types and extensions.
#include <catch2/catch.hpp>

#include "schema_case.hpp"

using migration_tools::test::check_schema_case;
using migration_tools::test::schema_case;

TEST_CASE("domains: created before their columns, each property altered in place",
          "[autogenerate][db]") {
  schema_case c;
  c.before =
      "CREATE DOMAIN positive AS int CONSTRAINT above_zero CHECK (VALUE > 0);\n"
      "CREATE DOMAIN code AS text DEFAULT 'x';\nCREATE TABLE t (n positive);";
  c.after =
      "CREATE DOMAIN positive AS int NOT NULL CONSTRAINT above_zero CHECK (VALUE >= 1) "
      "CONSTRAINT small CHECK (VALUE < 1000);\n"
      "CREATE DOMAIN email AS text COLLATE \"C\" CHECK (VALUE LIKE '%@%');\n"
      "COMMENT ON DOMAIN email IS 'an address';\n"
      "CREATE TABLE t (n positive, e email);";
  c.after_rewritten =
      "CREATE DOMAIN positive AS integer NOT NULL CONSTRAINT above_zero CHECK (VALUE>=1) "
      "CONSTRAINT small CHECK (VALUE<1000);\n"
      "CREATE DOMAIN email text COLLATE pg_catalog.\"C\" CHECK (VALUE ~~ '%@%');\n"
      "COMMENT ON DOMAIN email IS 'an address';\n"
      "CREATE TABLE t (n public.positive, e email);";
  c.detected = {"added domain 'public.email'", "removed domain 'public.code'",
                "changed domain 'public.positive'"};
  c.upgrade_contains = {
      "ALTER DOMAIN public.positive SET NOT NULL;",
      "ALTER DOMAIN public.positive ADD CONSTRAINT small CHECK ((VALUE < 1000));"};
  c.same_dump = false;
  check_schema_case("domains", c);
}

TEST_CASE("composite types: created, attributes added, dropped and retyped", "[autogenerate][db]") {
  schema_case c;
  c.before = "CREATE TYPE pair AS (a int, b int, gone text);\nCREATE TYPE old_one AS (x int);";
  c.after =
      "CREATE TYPE pair AS (a int, b bigint, c text COLLATE \"C\");\n"
      "CREATE TYPE point3 AS (x float8, y float8, z float8);\n"
      "CREATE TABLE shapes (corner point3, p pair);";
  c.detected = {"changed composite type 'public.pair'", "added composite type 'public.point3'",
                "removed composite type 'public.old_one'"};
  c.upgrade_contains = {
      "ALTER TYPE public.pair DROP ATTRIBUTE gone;",
      "ALTER TYPE public.pair ALTER ATTRIBUTE b TYPE bigint;",
      "CREATE TYPE public.point3 AS (x double precision, y double precision, z double precision);"};
  c.same_dump = false;
  check_schema_case("composites", c);
}

TEST_CASE("extensions: created in their schema before the columns that use their types",
          "[autogenerate][db]") {
  schema_case c;
  c.before = "CREATE SCHEMA ext;";
  c.after =
      "CREATE SCHEMA ext; CREATE EXTENSION citext WITH SCHEMA ext VERSION '1.5';\n"
      "CREATE TABLE users (email ext.citext UNIQUE);";
  c.detected = {"added extension 'citext'", "added table 'public.users'"};
  c.upgrade_contains = {"CREATE EXTENSION citext WITH SCHEMA ext VERSION '1.5';",
                        "email ext.citext"};
  check_schema_case("extensions", c);
  auto d = migration_tools::test::diff_sql(
      "extensions_update", c.after,
      "CREATE SCHEMA ext; CREATE EXTENSION citext WITH SCHEMA "
      "ext VERSION '1.6';\nCREATE TABLE users (email ext.citext UNIQUE);");
  REQUIRE(d.statements.size() == 1);
  CHECK(d.statements[0].sql == "ALTER EXTENSION citext UPDATE TO '1.6';");
}

TEST_CASE("range types: created with their options before the columns that use them",
          "[autogenerate][db]") {
  schema_case c;
  c.before = "CREATE TYPE old_span AS RANGE (subtype = int4);";
  c.after =
      "CREATE TYPE floatrange AS RANGE (subtype = float8, subtype_diff = float8mi);\n"
      "CREATE TYPE textrange AS RANGE (subtype = text, collation = \"C\", "
      "multirange_type_name = text_ranges);\n"
      "COMMENT ON TYPE floatrange IS 'doubles';\n"
      "CREATE TABLE spans (f floatrange, t textrange, many text_ranges);";
  c.detected = {"added range type 'public.floatrange'", "removed range type 'public.old_span'"};
  c.upgrade_contains = {
      "CREATE TYPE public.floatrange AS RANGE (SUBTYPE = double precision, "
      "SUBTYPE_DIFF = float8mi, MULTIRANGE_TYPE_NAME = public.floatmultirange);",
      "COLLATION = pg_catalog.\"C\""};
  check_schema_case("ranges", c);
}

TEST_CASE("types: collations are created before the columns that use them and dropped after",
          "[autogenerate][db]") {
  // migra's collations case: a column moves from one collation to another,
  // the old one dropped once nothing uses it.
  schema_case c;
  c.before =
      "CREATE COLLATION mt_posix FROM \"POSIX\";\n"
      "CREATE TABLE t (a text, b text COLLATE mt_posix);";
  c.after =
      "CREATE COLLATION mt_nocase (provider = icu, locale = 'und-u-ks-level2', "
      "deterministic = false);\n"
      "COMMENT ON COLLATION mt_nocase IS 'case-insensitive';\n"
      "CREATE TABLE t (a text, b text COLLATE mt_nocase, c text COLLATE mt_nocase);";
  c.detected = {"added collation 'public.mt_nocase'", "removed collation 'public.mt_posix'"};
  c.upgrade_contains = {
      "CREATE COLLATION public.mt_nocase (provider = icu, locale = 'und-u-ks-level2', "
      "deterministic = false);",
      "DROP COLLATION public.mt_posix;"};
  check_schema_case("types_collations", c);
}
