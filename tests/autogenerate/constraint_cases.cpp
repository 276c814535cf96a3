// Constraints: primary key, unique, foreign key (actions, deferrable, match),
// check, exclude, NOT VALID, and keys that foreign keys reference.
#include <catch2/catch.hpp>

#include "schema_case.hpp"

using migration_tools::test::check_schema_case;
using migration_tools::test::schema_case;

TEST_CASE("constraints: foreign keys between new tables come after both tables",
          "[autogenerate][db]") {
  schema_case c;
  c.before = "";
  c.after =
      "CREATE TABLE customers (id int PRIMARY KEY, best_order int);\n"
      "CREATE TABLE orders (id int PRIMARY KEY, customer int REFERENCES customers "
      "ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED);\n"
      "ALTER TABLE customers ADD FOREIGN KEY (best_order) REFERENCES orders MATCH FULL ON UPDATE "
      "SET NULL;";
  c.detected = {"added foreign key 'orders_customer_fkey' on 'public.orders'"};
  c.upgrade_contains = {
      "FOREIGN KEY (customer) REFERENCES public.customers(id) ON DELETE CASCADE "
      "DEFERRABLE INITIALLY DEFERRED;"};
  check_schema_case("constraints_fk_new_tables", c);
}

TEST_CASE("constraints: check, unique and exclude constraints added, changed and dropped",
          "[autogenerate][db]") {
  schema_case c;
  c.before =
      "CREATE TABLE t (a int CONSTRAINT a_positive CHECK (a > 0), b int UNIQUE, r int4range, "
      "CONSTRAINT gone CHECK (b <> 5));";
  c.after =
      "CREATE TABLE t (a int CONSTRAINT a_positive CHECK (a >= 0), b int, r int4range, "
      "CONSTRAINT no_overlap EXCLUDE USING gist (r WITH &&), CONSTRAINT ab UNIQUE (a, b));";
  c.after_rewritten =
      "CREATE TABLE t (a int, b int, r int4range);\n"
      "ALTER TABLE t ADD CONSTRAINT a_positive CHECK ((A)>=0), "
      "ADD CONSTRAINT no_overlap EXCLUDE USING gist (r WITH OPERATOR(pg_catalog.&&)), "
      "ADD CONSTRAINT ab UNIQUE (a, b);";
  c.detected = {"changed check constraint 'a_positive' on 'public.t'",
                "removed unique constraint 't_b_key' on 'public.t'",
                "added exclusion constraint 'no_overlap' on 'public.t'"};
  c.hazards = {"builds an index on public.t"};
  check_schema_case("constraints_check_unique_exclude", c);
}

TEST_CASE("constraints: a NOT VALID constraint that becomes valid is validated, not recreated",
          "[autogenerate][db]") {
  schema_case c;
  c.before = "CREATE TABLE t (a int); ALTER TABLE t ADD CONSTRAINT pos CHECK (a > 0) NOT VALID;";
  c.after = "CREATE TABLE t (a int); ALTER TABLE t ADD CONSTRAINT pos CHECK (a > 0);";
  c.detected = {"validated check constraint 'pos' on 'public.t'"};
  c.upgrade_contains = {"ALTER TABLE public.t VALIDATE CONSTRAINT pos;"};
  check_schema_case("constraints_validate", c);
}

TEST_CASE("constraints: a replaced primary key takes the foreign keys that reference it along",
          "[autogenerate][db]") {
  schema_case c;
  c.before =
      "CREATE TABLE p (a int, b int, CONSTRAINT p_key PRIMARY KEY (a), UNIQUE (a, b));\n"
      "CREATE TABLE c (a int REFERENCES p);";
  c.after =
      "CREATE TABLE p (a int, b int, CONSTRAINT p_key PRIMARY KEY (a, b), UNIQUE (a, b));\n"
      "ALTER TABLE p ADD CONSTRAINT p_a UNIQUE (a);\n"
      "CREATE TABLE c (a int REFERENCES p (a));";
  c.detected = {"changed primary key 'p_key' on 'public.p'"};
  check_schema_case("constraints_replaced_key", c);
}
