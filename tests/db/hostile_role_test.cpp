// Issue 18, items 1 and 2: a plain role that may create objects in `public`
// must not gain anything from a runner that connects as a superuser. It
// shadows the functions and operators the runner's own SQL uses (with an
// untyped parameter or without an exact pg_catalog match these would win)
// and plants a bookkeeping table with a trigger; each of its functions makes
// it superuser and records the call. The runner's statements, online and in
// an offline script, must resolve to pg_catalog only, and the planted table
// must be refused.
#include <catch2/catch.hpp>
#include <pqxx/pqxx>

#include "psql.hpp"
#include "runners.hpp"
#include "test_database.hpp"

using namespace migration_tools::test;

namespace {

const char* role = "mt_hostile_role";

// The URL of the same database, connected as the hostile role.
std::string as_hostile(const std::string& url) {
  std::string out = url;
  out.replace(out.find("user=postgres"), 13, std::string("user=") + role);
  return out;
}

// A function body that makes the role superuser and records that it ran.
std::string payload(const std::string& returns) {
  return std::string(" LANGUAGE plpgsql AS $f$ BEGIN") +
         " INSERT INTO public.hostile_calls VALUES (pg_catalog.clock_timestamp());" +
         " EXECUTE 'ALTER ROLE " + role + " SUPERUSER'; RETURN " + returns + "; END $f$";
}

void set_up_hostile_role(const std::string& url) {
  {
    pqxx::connection admin(url);
    pqxx::nontransaction tx(admin);
    // Roles are the cluster's: test cases running at once may both create it.
    tx.exec0(std::string("DO $$ BEGIN CREATE ROLE ") + role +
             " LOGIN; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$");
    tx.exec0(std::string("ALTER ROLE ") + role + " NOSUPERUSER");
    tx.exec0(std::string("GRANT CREATE ON SCHEMA public TO ") + role);
  }
  pqxx::connection hostile(as_hostile(url));
  pqxx::work tx(hostile);
  tx.exec0(
      "CREATE TABLE public.hostile_calls (at timestamptz,"
      " query text DEFAULT pg_catalog.current_query())");
  tx.exec0("GRANT INSERT ON public.hostile_calls TO PUBLIC");
  tx.exec0("CREATE FUNCTION public.pg_try_advisory_lock(text) RETURNS boolean" + payload("true"));
  tx.exec0("CREATE FUNCTION public.pg_advisory_unlock(text) RETURNS boolean" + payload("true"));
  tx.exec0("CREATE FUNCTION public.to_regclass(text) RETURNS regclass" + payload("NULL"));
  tx.exec0("CREATE FUNCTION public.now() RETURNS timestamptz" + payload("pg_catalog.now()"));
  tx.exec0("CREATE FUNCTION public.hostile_mul(numeric, integer) RETURNS numeric" +
           payload("$1 OPERATOR(pg_catalog.*) $2"));
  tx.exec0(
      "CREATE OPERATOR public.* (LEFTARG = numeric, RIGHTARG = integer, FUNCTION = "
      "public.hostile_mul)");
  tx.exec0(
      "CREATE FUNCTION public.hostile_fmul(double precision, integer) RETURNS double precision" +
      payload("$1 OPERATOR(pg_catalog.*) $2"));
  tx.exec0(
      "CREATE OPERATOR public.* (LEFTARG = double precision, RIGHTARG = integer, FUNCTION = "
      "public.hostile_fmul)");
  tx.exec0("CREATE FUNCTION public.clock_timestamp() RETURNS timestamptz" +
           payload("pg_catalog.clock_timestamp()"));
  tx.commit();
}

void check_no_gain(const std::string& url) {
  // The statements that called the role's functions, if any.
  for (const auto& q : column(url, "SELECT query FROM public.hostile_calls")) UNSCOPED_INFO(q);
  CHECK(column(url, std::string("SELECT rolsuper FROM pg_roles WHERE rolname = '") + role + "'")
            .at(0) == "f");
  CHECK(column(url, "SELECT count(*) FROM public.hostile_calls").at(0) == "0");
}

}  // namespace

TEST_CASE("a role that shadows functions and operators in public gains nothing from a runner",
          "[db][safety]") {
  std::string url = fresh_database("hostile_functions");
  set_up_hostile_role(url);
  auto up = linear(url, {"upgrade"});
  INFO(up.out << up.err);
  REQUIRE(up.exit_code == 0);
  check_no_gain(url);
  CHECK(linear(url, {"downgrade", "-1"}).exit_code == 0);
  CHECK(linear(url, {"stamp", "head"}).exit_code == 0);
  CHECK(linear(url, {"check"}).exit_code == 0);
  CHECK(linear(url, {"history"}).exit_code == 0);
  check_no_gain(url);

  // Even where public comes before pg_catalog in the search path (set for
  // the database, or by a migration), and the role shadows '=' on text.
  std::string url3 = fresh_database("hostile_functions_path");
  set_up_hostile_role(url3);
  {
    pqxx::connection hostile(as_hostile(url3));
    pqxx::work tx(hostile);
    tx.exec0("CREATE FUNCTION public.hostile_texteq(text, text) RETURNS boolean" +
             payload("$1 OPERATOR(pg_catalog.=) $2"));
    tx.exec0(
        "CREATE OPERATOR public.= (LEFTARG = text, RIGHTARG = text, FUNCTION = "
        "public.hostile_texteq)");
    tx.commit();
  }
  column(url3, "ALTER DATABASE hostile_functions_path SET search_path = public, pg_catalog");
  auto up3 = run_runner(OFFLINE_RUNNER, url3, {"upgrade"});
  CAPTURE(up3.err);
  CHECK(up3.exit_code == 0);
  // (No downgrade: the fixture's own downgrade compares text, which is the
  // migration's business, not the runner's.)
  CHECK(run_runner(OFFLINE_RUNNER, url3, {"stamp", "off_b"}).exit_code == 0);
  CHECK(run_runner(OFFLINE_RUNNER, url3, {"check"}).exit_code == 3);
  CHECK(run_runner(OFFLINE_RUNNER, url3, {"stamp", "head"}).exit_code == 0);
  CHECK(run_runner(OFFLINE_RUNNER, url3, {"check"}).exit_code == 0);
  CHECK(run_runner(OFFLINE_RUNNER, url3, {"history"}).exit_code == 0);
  check_no_gain(url3);

  // The offline script of the same migrations, through psql.
  std::string url2 = fresh_database("hostile_functions_offline");
  set_up_hostile_role(url2);
  auto script = run_runner(OFFLINE_RUNNER, url2, {"upgrade", "--sql"});
  REQUIRE(script.exit_code == 0);
  auto applied = apply_script(url2, script.out, "hostile-functions");
  INFO(applied.out << applied.err);
  CHECK(applied.exit_code == 0);
  check_no_gain(url2);
}

TEST_CASE("a bookkeeping table planted by another role, or carrying a trigger, is refused",
          "[db][safety]") {
  std::string url = fresh_database("hostile_table");
  set_up_hostile_role(url);
  {
    pqxx::connection hostile(as_hostile(url));
    pqxx::work tx(hostile);
    tx.exec0("CREATE FUNCTION public.hostile_trigger() RETURNS trigger" + payload("NEW"));
    tx.exec0("CREATE TABLE public.mt_linear_version (version_num text PRIMARY KEY)");
    tx.exec0(
        "CREATE TRIGGER t BEFORE INSERT OR UPDATE ON public.mt_linear_version FOR EACH ROW "
        "EXECUTE FUNCTION public.hostile_trigger()");
    tx.commit();
  }
  auto up = linear(url, {"upgrade"});
  INFO(up.out << up.err);
  CHECK(up.exit_code == 1);
  CHECK(up.err.find("version table \"public\".\"mt_linear_version\" is owned by role "
                    "'mt_hostile_role', not by 'postgres'") != std::string::npos);
  CHECK(linear(url, {"stamp", "head"}).exit_code == 1);
  check_no_gain(url);
  CHECK_FALSE(table_exists(url, "public.accounts"));

  // Handed over to the runner's role, the trigger still stops it.
  column(url, "ALTER TABLE public.mt_linear_version OWNER TO postgres");
  up = linear(url, {"upgrade"});
  CHECK(up.exit_code == 1);
  CHECK(up.err.find("has 1 trigger(s) and 0 rule(s)") != std::string::npos);
  check_no_gain(url);
  // Without it, the runner takes the table over and creates what is missing.
  column(url, "DROP TRIGGER t ON public.mt_linear_version");
  CHECK(linear(url, {"upgrade"}).exit_code == 0);
  CHECK(table_exists(url, "public.mt_linear_version_history"));
  check_no_gain(url);
}

TEST_CASE("a version table replaced by a view is refused before any migration runs",
          "[db][safety]") {
  std::string url = fresh_database("bookkeeping_view");
  REQUIRE(linear(url, {"upgrade", "rev_b"}).exit_code == 0);
  column(url,
         "ALTER TABLE mt_linear_version RENAME TO old_version;"
         " CREATE VIEW mt_linear_version AS SELECT * FROM old_version");
  auto up = linear(url, {"upgrade"});
  CHECK(up.exit_code == 1);
  CHECK(up.err.find("is not a table (relkind 'v')") != std::string::npos);
  CHECK(up.err.find(".sql:") == std::string::npos);  // not blamed on a migration
  CHECK(column(url, "SELECT count(*) FROM mt_linear_version_history WHERE direction = 'failure'")
            .at(0) == "0");
}

TEST_CASE("a plain deploy role with CREATE on public keeps its bookkeeping there", "[db][safety]") {
  // public belongs to pg_database_owner (PostgreSQL 15): trusted, as the
  // database owner is; the tables are the deploy role's own.
  std::string url = fresh_database("plain_deployer");
  set_up_hostile_role(url);
  auto up = run_runner(OFFLINE_RUNNER, as_hostile(url), {"upgrade", "off_b"});
  CAPTURE(up.err);
  CHECK(up.exit_code == 1);  // its schema is missing, and the role may not create it
  CHECK(up.err.find("permission denied for database") != std::string::npos);
  // Issue 32: a permission error says which privileges the role needs.
  CHECK(up.err.find("hint: the role that mt_offline connects as needs USAGE on schema") !=
        std::string::npos);
  CHECK(up.err.find("(docs/bookkeeping.md)") != std::string::npos);
  auto linear_up = linear(as_hostile(url), {"upgrade", "rev_b"});
  CAPTURE(linear_up.err);
  CHECK(linear_up.exit_code == 0);
  CHECK(
      column(url, "SELECT tableowner FROM pg_tables WHERE tablename = 'mt_linear_version'").at(0) ==
      role);
  // A schema owned by another plain role is not trusted by a superuser's run.
  column(url, std::string("CREATE SCHEMA \"off'line \"\"books\"\"\" AUTHORIZATION ") + role);
  auto refused = run_runner(OFFLINE_RUNNER, url, {"upgrade"});
  CHECK(refused.exit_code == 1);
  CHECK(refused.err.find("bookkeeping schema \"off'line \"\"books\"\"\" is owned by role "
                         "'mt_hostile_role'") != std::string::npos);
  check_no_gain(url);
}
