// Tables: plain, unlogged, inheritance, partitioned and their partitions,
// row-level security, comments, and what a rename looks like.
#include <catch2/catch.hpp>

#include "schema_case.hpp"

using migration_tools::test::check_schema_case;
using migration_tools::test::schema_case;

TEST_CASE("tables: a new table with a primary key is created, and dropped by the downgrade",
          "[autogenerate][db]") {
  schema_case c;
  c.before = "CREATE TABLE kept (id int);";
  c.after =
      "CREATE TABLE kept (id int); CREATE TABLE items (id bigint PRIMARY KEY, name text NOT NULL);";
  c.after_rewritten =
      "create table public.kept (\"id\" integer);\n"
      "CREATE TABLE Items (ID int8 NOT NULL, NAME varchar COLLATE \"default\", CONSTRAINT "
      "items_pkey PRIMARY KEY (id));\n"
      "ALTER TABLE items ALTER COLUMN name TYPE text, ALTER COLUMN name SET NOT NULL;";
  c.detected = {"added table 'public.items'", "added primary key 'items_pkey' on 'public.items'"};
  c.upgrade_contains = {
      "CREATE TABLE public.items (\n    id bigint NOT NULL,\n    name text NOT NULL\n);"};
  check_schema_case("tables_new", c);
}

TEST_CASE("tables: a dropped table is a hazard, with a rename hint when an identical one is added",
          "[autogenerate][db]") {
  schema_case c;
  c.before = "CREATE TABLE old_name (id int NOT NULL, note text);";
  c.after = "CREATE TABLE new_name (id int NOT NULL, note text);";
  c.detected = {"removed table 'public.old_name'", "added table 'public.new_name'"};
  c.upgrade_contains = {"-- possible rename: ALTER TABLE public.old_name RENAME TO new_name;"};
  c.hazards = {"deletes data: table public.old_name and all its rows"};
  check_schema_case("tables_rename", c);
}

TEST_CASE("tables: unlogged, inheritance and row-level security are altered in place",
          "[autogenerate][db]") {
  schema_case c;
  c.before =
      "CREATE TABLE base (id int); CREATE TABLE other (x int);\n"
      "CREATE TABLE child (extra text) INHERITS (base);\n"
      "CREATE TABLE scratch (id int); CREATE TABLE secret (id int);";
  c.after =
      "CREATE TABLE base (id int); CREATE TABLE other (x int);\n"
      "CREATE TABLE child (extra text) INHERITS (base, other);\n"
      "CREATE UNLOGGED TABLE scratch (id int); CREATE TABLE secret (id int);\n"
      "ALTER TABLE secret ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;\n"
      "COMMENT ON TABLE secret IS 'who''s there';";
  c.detected = {"changed table 'public.scratch' to unlogged",
                "added inheritance of table 'public.child' from 'public.other'"};
  c.upgrade_contains = {"ALTER TABLE public.secret ENABLE ROW LEVEL SECURITY;",
                        "ALTER TABLE public.secret FORCE ROW LEVEL SECURITY;",
                        "COMMENT ON TABLE public.secret IS 'who''s there';"};
  c.hazards = {"may rewrite public.scratch"};
  // INHERIT needs the child to have the parent's columns first, and no SQL
  // makes such a column inherited-only again: pg_dump shows it as the child's.
  c.same_dump = false;
  check_schema_case("tables_alter", c);
}

TEST_CASE("tables: partitioned tables and their partitions, created, attached and detached",
          "[autogenerate][db]") {
  schema_case c;
  c.before =
      "CREATE TABLE events (id int, at date) PARTITION BY RANGE (at);\n"
      "CREATE TABLE events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO "
      "('2026-01-01');";
  c.after =
      "CREATE TABLE events (id int, at date) PARTITION BY RANGE (at);\n"
      "CREATE TABLE events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO "
      "('2025-07-01');\n"
      "CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO "
      "('2027-01-01');\n"
      "CREATE TABLE logs (line text) PARTITION BY LIST (line);\n"
      "CREATE TABLE logs_a PARTITION OF logs FOR VALUES IN ('a');";
  c.detected = {"added table 'public.events_2026'", "added table 'public.logs_a'",
                "changed the partition bound of table 'public.events_2025'"};
  c.upgrade_contains = {
      "CREATE TABLE public.events_2026 PARTITION OF public.events FOR VALUES FROM ('2026-01-01') "
      "TO ('2027-01-01');",
      "CREATE TABLE public.logs (\n    line text\n) PARTITION BY LIST (line);"};
  check_schema_case("tables_partitions", c);
}

TEST_CASE("tables: a changed partition key is a refused change, never a plan that assumes it",
          "[autogenerate][db]") {
  // The new key, a new column and a partition for the new key: none of the
  // table's changes is written, since each would assume the key changed.
  auto d = migration_tools::test::diff_sql(
      "tables_partition_key", "CREATE TABLE m (a int, b int) PARTITION BY RANGE (a);",
      "CREATE TABLE m (a int, b int, c text) PARTITION BY RANGE (b);\n"
      "CREATE TABLE m_1 PARTITION OF m FOR VALUES FROM (0) TO (10);");
  CHECK(d.warnings.empty());
  REQUIRE(d.refusals.size() == 1);
  CHECK(d.refusals[0].find("the partition key of table 'public.m' changed (RANGE (a) -> RANGE "
                           "(b)): PostgreSQL cannot alter a partition key") != std::string::npos);
  for (const auto& s : d.statements) {
    CHECK(s.sql.find("public.m ") == std::string::npos);
    CHECK(s.sql.find("public.m_1") == std::string::npos);
  }
  CHECK(migration_tools::schema::render_sql(d).find("-- refused: the partition key") !=
        std::string::npos);
  // Not partitioned before: refused alike.
  auto plain =
      migration_tools::test::diff_sql("tables_partition_key_plain", "CREATE TABLE p (a int);",
                                      "CREATE TABLE p (a int) PARTITION BY LIST (a);");
  REQUIRE(plain.refusals.size() == 1);
  CHECK(plain.refusals[0].find("(not partitioned -> LIST (a))") != std::string::npos);
}

TEST_CASE("tables: NOT NULL on a partition's column is diffed, alone or with its parent's",
          "[autogenerate][db]") {
  schema_case c;
  c.before =
      "CREATE TABLE p (k int, x int, y int, z int NOT NULL) PARTITION BY LIST (k);\n"
      "CREATE TABLE p1 PARTITION OF p FOR VALUES IN (1);\n"
      "CREATE TABLE p2 PARTITION OF p FOR VALUES IN (2);";
  // x: NOT NULL on p1 alone; y: on the parent (so on every partition);
  // z: nullable on the parent again but kept NOT NULL on p2; p3: new, with
  // x NOT NULL of its own.
  c.after =
      "CREATE TABLE p (k int, x int, y int NOT NULL, z int) PARTITION BY LIST (k);\n"
      "CREATE TABLE p1 PARTITION OF p FOR VALUES IN (1);\n"
      "ALTER TABLE p1 ALTER COLUMN x SET NOT NULL;\n"
      "CREATE TABLE p2 PARTITION OF p FOR VALUES IN (2);\n"
      "ALTER TABLE p2 ALTER COLUMN z SET NOT NULL;\n"
      "CREATE TABLE p3 PARTITION OF p FOR VALUES IN (3);\n"
      "ALTER TABLE p3 ALTER COLUMN x SET NOT NULL;";
  c.detected = {"made column 'public.p1.x' NOT NULL", "made column 'public.p.y' NOT NULL",
                "made column 'public.p2.z' NOT NULL", "made column 'public.p3.x' NOT NULL"};
  c.upgrade_contains = {"ALTER TABLE public.p1 ALTER COLUMN x SET NOT NULL;",
                        "ALTER TABLE public.p ALTER COLUMN y SET NOT NULL;"};
  check_schema_case("tables_partition_not_null", c);
}
