// The schema diff on models written by hand: no database.
#include <catch2/catch.hpp>

#include "../../src/schema/rename_hints.hpp"
#include "../../src/schema/type_change.hpp"
#include "migration_tools/schema/diff.hpp"
#include "migration_tools/schema/sequence_text.hpp"
#include "migration_tools/schema/sql_text.hpp"

using namespace migration_tools::schema;

namespace {

table items_table() {
  table t;
  t.name = {"public", "items"};
  t.columns.push_back({"id", "bigint", "", true, "", 0, {}, "", ""});
  return t;
}

}  // namespace

TEST_CASE("Identifiers are quoted the way quote_ident quotes them", "[unit]") {
  CHECK(quote_identifier("users") == "users");
  CHECK(quote_identifier("_x1") == "_x1");
  CHECK(quote_identifier("Users") == "\"Users\"");
  CHECK(quote_identifier("user") == "\"user\"");  // reserved
  CHECK(quote_identifier("name") == "name");      // unreserved
  CHECK(quote_identifier("1st") == "\"1st\"");
  CHECK(quote_identifier("a\"b") == "\"a\"\"b\"");
  CHECK(quote_identifier("") == "\"\"");
  CHECK(quote_name({"Billing", "order"}) == "\"Billing\".\"order\"");
  CHECK(quote_literal("it's") == "'it''s'");
  // A backslash makes it an E'' literal, as quote_literal writes it: the same
  // text whatever standard_conforming_strings says.
  CHECK(quote_literal("x\\'; DROP TABLE t; --") == "E'x\\\\''; DROP TABLE t; --'");
}

TEST_CASE("Two equal models have no diff, and an added column is one statement and one line",
          "[unit]") {
  schema_model a, b;
  a.namespaces = b.namespaces = {{"public", ""}};
  a.tables = {items_table()};
  b.tables = {items_table()};
  CHECK(diff_schemas(a, b).empty());

  b.tables[0].columns.push_back({"note", "text", "", false, "'none'::text", 0, {}, "", "why"});
  auto d = diff_schemas(a, b);
  REQUIRE(d.statements.size() == 2);
  CHECK(d.statements[0].sql ==
        "ALTER TABLE public.items ADD COLUMN note text DEFAULT 'none'::text;");
  CHECK(d.statements[1].sql == "COMMENT ON COLUMN public.items.note IS 'why';");
  CHECK(d.detected == std::vector<std::string>{"added column 'public.items.note'"});

  auto back = diff_schemas(b, a);
  REQUIRE(back.statements.size() == 1);
  CHECK(back.statements[0].sql == "ALTER TABLE public.items DROP COLUMN note;");
  CHECK(back.statements[0].hazards.front().rfind("deletes data", 0) == 0);
}

TEST_CASE("Removals come before additions, and foreign keys after the tables they join", "[unit]") {
  schema_model a, b;
  a.tables = {items_table()};
  a.tables[0].name.name = "old";
  b.tables = {items_table(), items_table()};
  b.tables[1].name.name = "orders";
  b.constraints.push_back({{"public", "orders"},
                           "orders_fk",
                           'f',
                           "FOREIGN KEY (id) REFERENCES public.items(id)",
                           true,
                           {"public", "items"},
                           ""});
  auto d = diff_schemas(a, b);
  REQUIRE(d.statements.size() == 4);
  CHECK(d.statements[0].sql == "DROP TABLE public.old;");
  // Two new tables of the same shape: either could be the old one renamed,
  // so neither is offered.
  CHECK(d.statements[0].hint.empty());
  CHECK(d.statements[1].sql.rfind("CREATE TABLE public.items", 0) == 0);
  CHECK(d.statements[2].sql.rfind("CREATE TABLE public.orders", 0) == 0);
  CHECK(d.statements[3].sql.rfind("ALTER TABLE public.orders ADD CONSTRAINT orders_fk", 0) == 0);
}

TEST_CASE("Sequence options are written only where they differ from the type's defaults",
          "[unit]") {
  sequence_options o{"1", "1", "1", "2147483647", "1", false};
  CHECK(sequence_options_sql(o, "integer").empty());
  CHECK(sequence_options_sql(o, "bigint") == "MAXVALUE 2147483647");
  sequence_options down{"-1", "-1", "-2147483648", "-1", "1", false};
  CHECK(sequence_options_sql(down, "integer") == "INCREMENT BY -1");
  sequence_options cached = o;
  cached.cache = "20";
  cached.cycle = true;
  CHECK(changed_sequence_options_sql(o, cached, "SET ") == "SET CACHE 20 SET CYCLE");
}

TEST_CASE("A kind the diff does not handle is a warning, never silence", "[unit]") {
  schema_model a, b;
  b.unhandled.push_back({"view", "public.v", "SELECT 1"});
  auto d = diff_schemas(a, b);
  CHECK(d.statements.empty());
  REQUIRE(d.warnings.size() == 1);
  CHECK_FALSE(d.empty());
  CHECK(render_sql(d).rfind("-- warning: view 'public.v' was added", 0) == 0);
}

TEST_CASE(
    "A type change rewrites the table only where PostgreSQL does, and names what a "
    "narrowing does to values",
    "[unit][autogenerate]") {
  using migration_tools::schema::classify_type_change;
  auto widen = classify_type_change("character varying(10)", "character varying(20)", "t.c");
  CHECK_FALSE(widen.rewrites);
  CHECK(widen.data_hazard.empty());
  CHECK_FALSE(classify_type_change("character varying(10)", "text", "t.c").rewrites);
  CHECK_FALSE(classify_type_change("numeric(10,2)", "numeric(12,2)", "t.c").rewrites);
  CHECK_FALSE(classify_type_change("numeric(10,2)", "numeric", "t.c").rewrites);
  CHECK_FALSE(classify_type_change("timestamp(3) with time zone", "timestamp with time zone", "t.c")
                  .rewrites);
  auto narrow = classify_type_change("character varying(400)", "character varying(150)", "t.c");
  CHECK(narrow.assignment_cast);
  CHECK(narrow.checks);
  CHECK(narrow.data_hazard == "fails if a value of t.c is longer than 150 characters");
  CHECK_THAT(
      classify_type_change("numeric(10,4)", "numeric(10,2)", "t.c").data_hazard,
      Catch::Matchers::StartsWith("changes data: rounds the values of t.c to 2 decimal places"));
  CHECK(classify_type_change("bigint", "integer", "t.c").data_hazard ==
        "fails if a value of t.c is out of range for integer");
  auto other = classify_type_change("integer", "bigint", "t.c");
  CHECK(other.rewrites);
  CHECK_FALSE(other.assignment_cast);
  CHECK(other.data_hazard.empty());
}

TEST_CASE("Rename hints need like names and no rival", "[unit][autogenerate]") {
  using migration_tools::schema::rename_pairs;
  using migration_tools::schema::similar_names;
  CHECK(similar_names("fullname", "full_name"));
  CHECK(similar_names("email", "email_address"));
  CHECK(similar_names("created_at", "created_on"));
  CHECK_FALSE(similar_names("access_token", "user_name"));
  CHECK_FALSE(similar_names("title", "name"));
  auto always = [](size_t, size_t) { return true; };
  CHECK(rename_pairs({"fullname"}, {"full_name"}, always) == std::map<size_t, size_t>{{0, 0}});
  CHECK(rename_pairs({"email_address", "e_mail_address"}, {"mail_address"}, always).empty());
  CHECK(rename_pairs({"email"}, {"email_address", "email_addr"}, always).empty());
}
