// Privileges: GRANT and REVOKE on tables, views, sequences, schemas and
// functions, granted again on a recreated view.
#include <catch2/catch.hpp>

#include "schema_case.hpp"

using migration_tools::test::check_schema_case;
using migration_tools::test::schema_case;

namespace {
// Roles belong to the cluster: made once, whichever case runs first.
const char* const roles =
    "DO $$ BEGIN CREATE ROLE mt_reader; EXCEPTION WHEN duplicate_object OR unique_violation "
    "THEN NULL; END $$;\n";
}  // namespace

TEST_CASE("privileges: granted and revoked per object and role", "[autogenerate][db]") {
  schema_case c;
  c.before = std::string(roles) +
             "CREATE TABLE t (a int); CREATE SEQUENCE s; CREATE SCHEMA app;\n"
             "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';\n"
             "GRANT SELECT, UPDATE ON t TO mt_reader; GRANT USAGE ON SEQUENCE s TO mt_reader;";
  c.after =
      std::string(roles) +
      "CREATE TABLE t (a int); CREATE SEQUENCE s; CREATE SCHEMA app;\n"
      "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';\n"
      "CREATE FUNCTION g() RETURNS int LANGUAGE sql AS 'SELECT 2';\n"
      "GRANT SELECT ON t TO mt_reader WITH GRANT OPTION; GRANT USAGE ON SCHEMA app TO mt_reader;\n"
      "REVOKE EXECUTE ON FUNCTION f() FROM PUBLIC; GRANT EXECUTE ON FUNCTION f() TO mt_reader;\n"
      "REVOKE EXECUTE ON FUNCTION g() FROM PUBLIC;";
  c.detected = {"revoked UPDATE on public.t to mt_reader", "granted USAGE on app to mt_reader",
                "revoked EXECUTE on public.f() to PUBLIC",
                "revoked EXECUTE on public.g() from PUBLIC"};
  c.upgrade_contains = {"GRANT SELECT ON TABLE public.t TO mt_reader WITH GRANT OPTION;",
                        "REVOKE USAGE ON SEQUENCE public.s FROM mt_reader;",
                        "GRANT EXECUTE ON FUNCTION public.f() TO mt_reader;"};
  c.hazards = {"changes who may use public.t"};
  check_schema_case("privileges", c);
}

TEST_CASE("privileges: a recreated view gets its grants again", "[autogenerate][db]") {
  schema_case c;
  c.before =
      std::string(roles) +
      "CREATE TABLE t (a int); CREATE VIEW v AS SELECT a FROM t; GRANT SELECT ON v TO mt_reader;";
  c.after = std::string(roles) +
            "CREATE TABLE t (a bigint); CREATE VIEW v AS SELECT a FROM t; GRANT SELECT ON v TO "
            "mt_reader;";
  c.upgrade_contains = {"DROP VIEW public.v;", "GRANT SELECT ON TABLE public.v TO mt_reader;"};
  check_schema_case("privileges_recreated_view", c);
}
