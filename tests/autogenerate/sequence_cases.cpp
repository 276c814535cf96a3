// Sequences: standalone, owned by a serial column, with their parameters.
#include <catch2/catch.hpp>

#include "schema_case.hpp"

using migration_tools::test::check_schema_case;
using migration_tools::test::schema_case;

TEST_CASE("sequences: a serial column's sequence is created before its table and owned after",
          "[autogenerate][db]") {
  schema_case c;
  c.before = "";
  c.after = "CREATE TABLE t (id serial PRIMARY KEY, n bigserial);";
  c.after_rewritten =
      "CREATE SEQUENCE t_id_seq AS integer; CREATE SEQUENCE t_n_seq;\n"
      "CREATE TABLE t (id integer NOT NULL DEFAULT nextval('t_id_seq'), "
      "n bigint NOT NULL DEFAULT nextval('t_n_seq'::regclass), PRIMARY KEY (id));\n"
      "ALTER SEQUENCE t_id_seq OWNED BY t.id; ALTER SEQUENCE t_n_seq OWNED BY t.n;";
  c.detected = {"added sequence 'public.t_id_seq'", "added table 'public.t'"};
  c.upgrade_contains = {"CREATE SEQUENCE public.t_id_seq AS integer;",
                        "ALTER SEQUENCE public.t_id_seq OWNED BY public.t.id;"};
  check_schema_case("sequences_serial", c);
}

TEST_CASE("sequences: standalone sequences with changed parameters, and one that goes",
          "[autogenerate][db]") {
  schema_case c;
  c.before =
      "CREATE SEQUENCE counter START 5 CACHE 10; CREATE SEQUENCE gone;\n"
      "CREATE TABLE t (id int DEFAULT nextval('gone'));";
  c.after =
      "CREATE SEQUENCE counter AS integer START 5 INCREMENT BY -1 MINVALUE -100 MAXVALUE 5 CYCLE;\n"
      "CREATE TABLE t (id int);";
  c.detected = {"changed sequence 'public.counter'", "removed sequence 'public.gone'",
                "changed default of column 'public.t.id'"};
  c.hazards = {"deletes data: the current value of sequence public.gone"};
  check_schema_case("sequences_standalone", c);
}
