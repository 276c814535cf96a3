// Enums: created with the tables that use them, values added at their place,
// removed or reordered values by a recreate that casts the columns.
#include <catch2/catch.hpp>

#include "schema_case.hpp"

using migration_tools::test::check_schema_case;
using migration_tools::test::schema_case;

TEST_CASE("enums: a new enum and a column using it, and added values go to their place",
          "[autogenerate][db]") {
  schema_case c;
  c.before = "CREATE TYPE mood AS ENUM ('sad', 'happy');\nCREATE TABLE t (id int);";
  c.after =
      "CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy', 'ecstatic');\n"
      "CREATE TYPE size AS ENUM ('s', 'm', 'l'); COMMENT ON TYPE size IS 'shirt';\n"
      "CREATE TABLE t (id int, s size DEFAULT 'm', m mood);";
  c.detected = {"added enum 'public.size'",
                "changed enum 'public.mood' ('sad', 'happy' -> 'sad', 'ok', 'happy', 'ecstatic')"};
  c.upgrade_contains = {"ALTER TYPE public.mood ADD VALUE 'ok' BEFORE 'happy';",
                        "ALTER TYPE public.mood ADD VALUE 'ecstatic';",
                        "CREATE TYPE public.size AS ENUM ('s', 'm', 'l');"};
  c.hazards = {"the new value 'ok' cannot be used before this migration commits"};
  c.same_dump = false;  // ADD VALUE gives the values other sort numbers than CREATE TYPE
  check_schema_case("enums_add", c);
}

TEST_CASE("enums: a removed value recreates the type and casts its columns, views around it",
          "[autogenerate][db]") {
  schema_case c;
  c.before =
      "CREATE TYPE mood AS ENUM ('sad', 'meh', 'happy');\n"
      "CREATE TABLE t (id int, m mood DEFAULT 'happy', history mood[]);\n"
      "CREATE VIEW happy AS SELECT id FROM t WHERE m = 'happy';";
  c.after =
      "CREATE TYPE mood AS ENUM ('happy', 'sad');\n"
      "CREATE TABLE t (id int, m mood DEFAULT 'happy', history mood[]);\n"
      "CREATE VIEW happy AS SELECT id FROM t WHERE m = 'happy';";
  c.upgrade_contains = {
      "ALTER TYPE public.mood RENAME TO mood__old;",
      "ALTER TABLE public.t ALTER COLUMN m TYPE public.mood USING m::text::public.mood;",
      "USING history::text[]::public.mood[];", "DROP TYPE public.mood__old;",
      "DROP VIEW public.happy;"};
  c.hazards = {"fails if a row of public.t holds a value the new public.mood does not have"};
  check_schema_case("enums_recreate", c);
}
