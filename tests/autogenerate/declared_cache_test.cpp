// Issue 31: the declared schema is kept on the scratch server between runs,
// as the head state is, keyed on the files' content and trusted under the
// same rules (issue 30, item 2); a schema that acts on what the whole server
// shares is never kept.
#include <catch2/catch.hpp>
#include <pqxx/pqxx>

#include "../db/test_database.hpp"
#include "migration_tools/autogenerate/project_states.hpp"

using namespace migration_tools;
using namespace migration_tools::test;
using Catch::Matchers::Contains;

namespace {

// A project of declared files only; each test a scope of its own, since the
// tests of this file run in parallel on one server.
struct project {
  std::string scope;
  std::vector<std::string> texts;
  std::vector<std::string> notes;

  autogenerate::project_states states() {
    autogenerate::project_description p;
    p.server_url = cluster_admin_url();
    p.has_declared_schema = true;
    for (size_t i = 0; i < texts.size(); ++i)
      p.declared.push_back({"schema/" + std::to_string(i) + ".sql", texts[i]});
    p.bookkeeping_schema = "public";
    p.version_table = "alembic_version";
    p.cache_scope = scope;
    p.cache_key = "on";  // the head's key: any non-empty one turns caching on
    p.note = [this](const std::string& text) { notes.push_back(text); };
    p.apply_migrations = [](const std::string&) {};
    return autogenerate::project_states(std::move(p));
  }

  // The kept declared states of this scope, by name.
  std::vector<std::string> kept() const {
    return column(cluster_admin_url(),
                  "SELECT datname FROM pg_database WHERE datname LIKE 'mt\\_declared\\_" + scope +
                      "\\_%' ORDER BY 1");
  }
};

bool has_table(const schema::schema_model& m, const std::string& name) {
  for (const auto& t : m.tables)
    if (t.name.name == name) return true;
  return false;
}

}  // namespace

TEST_CASE("the declared schema is kept between runs and loaded again when a file changes",
          "[autogenerate][db]") {
  project p{"dcache01", {"CREATE TABLE public.kept_items (id int PRIMARY KEY);"}, {}};
  auto first = p.states().declared();
  CHECK(has_table(first, "kept_items"));
  auto kept = p.kept();
  REQUIRE(kept.size() == 1);

  // The next run reads the kept database: a table added there by hand shows,
  // which proves the files were not loaded again.
  column(with_database(cluster_admin_url(), kept[0]), "CREATE TABLE public.added_by_hand (x int)");
  auto second = p.states().declared();
  CHECK(has_table(second, "added_by_hand"));
  CHECK(p.notes.empty());

  // A changed file is a new key: loaded again, and the old state dropped.
  p.texts[0] = "CREATE TABLE public.kept_items (id int PRIMARY KEY, note text);";
  auto third = p.states().declared();
  CHECK_FALSE(has_table(third, "added_by_hand"));
  auto again = p.kept();
  REQUIRE(again.size() == 1);
  CHECK(again[0] != kept[0]);
  column(cluster_admin_url(), "DROP DATABASE " + again[0] + " WITH (FORCE)");
}

TEST_CASE(
    "a declared schema that creates a role is never kept, and the role does not outlive "
    "the load",
    "[autogenerate][db][security]") {
  project p{"dcache02",
            {"CREATE TABLE public.t (id int);",
             "CREATE ROLE mt_declared_cache_role;\nGRANT SELECT ON public.t TO "
             "mt_declared_cache_role;"},
            {}};
  auto model = p.states().declared();
  CHECK(has_table(model, "t"));
  CHECK(p.kept().empty());
  CHECK(column(cluster_admin_url(),
               "SELECT count(*) FROM pg_roles WHERE rolname = 'mt_declared_cache_role'")
            .at(0) == "0");
}

TEST_CASE("a declared-state cache another role planted is ignored and left alone",
          "[autogenerate][db][security]") {
  std::string admin = cluster_admin_url();
  column(admin,
         "DO $$ BEGIN CREATE ROLE mt_planter LOGIN CREATEDB; EXCEPTION WHEN duplicate_object "
         "THEN NULL; END $$");
  project p{"dcache03", {"CREATE TABLE public.real_items (id int);"}, {}};
  p.states().declared();
  auto kept = p.kept();
  REQUIRE(kept.size() == 1);
  std::string name = kept[0];
  std::string key = name.substr(name.rfind('_') + 1);
  column(admin, "DROP DATABASE " + name + " WITH (FORCE)");
  std::string planter = admin;
  planter.replace(planter.find("user=postgres"), 13, "user=mt_planter");
  column(planter, "CREATE DATABASE " + name);
  column(planter,
         "COMMENT ON DATABASE " + name + " IS 'migration_tools declared state " + key + "'");
  column(with_database(planter, name), "CREATE TABLE public.planted_items (id int)");

  auto model = p.states().declared();
  CHECK(has_table(model, "real_items"));
  CHECK_FALSE(has_table(model, "planted_items"));
  REQUIRE(p.notes.size() == 1);
  CHECK_THAT(p.notes[0], Contains("ignoring the declared-state cache " + name +
                                  " on the scratch server: it belongs to another role"));
  // Neither read nor dropped: still the planter's.
  CHECK(column(admin,
               "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = '" + name + "'")
            .at(0) == "mt_planter");
  column(admin, "DROP DATABASE " + name + " WITH (FORCE)");
}
