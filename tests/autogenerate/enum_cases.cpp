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

TEST_CASE("enums: the old type's temporary name is cut at a character boundary and is free",
          "[autogenerate][db]") {
  // 31 two-byte characters (62 bytes): a cut at byte 58 would split one.
  std::string name;
  for (int i = 0; i < 31; ++i) name += "\xc3\xa9";
  std::string quoted = "\"" + name + "\"";
  schema_case c;
  c.before = "CREATE TYPE " + quoted +
             " AS ENUM ('a', 'b', 'c');\n"
             "CREATE TYPE mood__old AS ENUM ('x');\n"
             "CREATE TABLE t (m " +
             quoted +
             ");\n"
             "CREATE TYPE mood AS ENUM ('sad', 'ok');\n"
             "CREATE TABLE u (m mood);";
  c.after = "CREATE TYPE " + quoted +
            " AS ENUM ('a', 'c');\n"
            "CREATE TYPE mood__old AS ENUM ('x');\n"
            "CREATE TABLE t (m " +
            quoted +
            ");\n"
            "CREATE TYPE mood AS ENUM ('ok');\n"
            "CREATE TABLE u (m mood);";
  // 29 characters (58 bytes) and the suffix; mood__old is taken.
  c.upgrade_contains = {"RENAME TO \"" + name.substr(0, 58) + "__old\";",
                        "ALTER TYPE public.mood RENAME TO mood__old2;"};
  check_schema_case("enums_temporary_name", c);
}

TEST_CASE("enums: a column moved from one enum type to another is cast through text",
          "[autogenerate][db]") {
  const std::string types =
      "CREATE TYPE old_state AS ENUM ('new', 'done');\n"
      "CREATE TYPE new_state AS ENUM ('new', 'busy', 'done');\n";
  schema_case c;
  c.before = types + "CREATE TABLE t (s old_state DEFAULT 'new', history old_state[]);";
  c.after = types + "CREATE TABLE t (s new_state DEFAULT 'new', history new_state[]);";
  c.upgrade_contains = {"ALTER COLUMN s TYPE public.new_state USING s::text::public.new_state;",
                        "ALTER COLUMN history TYPE public.new_state[] USING "
                        "history::text[]::public.new_state[];"};
  check_schema_case("enums_moved_column", c);
}
