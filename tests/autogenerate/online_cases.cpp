// Issue 31, item 2: the change written for a busy database. An index on an
// existing table is built CONCURRENTLY in a second, non-transactional
// migration; a foreign key or check on an existing table is added NOT VALID
// in the first and validated in the second. Both pairs converge and reverse.
#include <catch2/catch.hpp>
#include <pqxx/pqxx>

#include "../db/test_database.hpp"
#include "migration_tools/core/sql_splitter.hpp"
#include "migration_tools/postgres/catalog_inspector.hpp"
#include "migration_tools/schema/diff.hpp"
#include "migration_tools/schema/online.hpp"

using namespace migration_tools;
using namespace migration_tools::test;

namespace {

schema::schema_model inspect(const std::string& url) {
  pqxx::connection c(url);
  return inspect_catalog(c);
}

void in_transaction(const std::string& url, const std::string& sql) {
  pqxx::connection c(url);
  pqxx::work tx(c);
  tx.exec0(sql);
  tx.commit();
}

// As the runner runs a `transactional false` migration: statement by statement.
void one_by_one(const std::string& url, const std::string& sql) {
  pqxx::connection c(url);
  for (const auto& s : split_sql(sql)) pqxx::nontransaction(c).exec0(std::string(s.text));
}

}  // namespace

TEST_CASE(
    "online: an index on an existing table is built CONCURRENTLY in a second migration, and "
    "a new foreign key is added NOT VALID and validated there",
    "[autogenerate][db]") {
  const std::string before =
      "CREATE TABLE users (id int PRIMARY KEY, email text);\n"
      "CREATE TABLE orders (id int PRIMARY KEY, user_id int, total numeric CHECK (total >= 0));\n"
      "INSERT INTO users VALUES (1, 'a@example.com');\nINSERT INTO orders VALUES (1, 1, 5);";
  const std::string after =
      "CREATE TABLE users (id int PRIMARY KEY, email text);\n"
      "CREATE INDEX users_email ON users (email);\n"
      "CREATE TABLE orders (id int PRIMARY KEY, user_id int REFERENCES users (id),\n"
      "  total numeric CHECK (total >= 0), CONSTRAINT orders_small CHECK (total < 1000));\n"
      "CREATE TABLE notes (id int PRIMARY KEY, order_id int REFERENCES orders (id));\n"
      "CREATE INDEX notes_order ON notes (order_id);";
  std::string work = fresh_database("online_work");
  std::string target = fresh_database("online_target");
  in_transaction(work, before);
  in_transaction(target, after);
  auto from = inspect(work);
  auto to = inspect(target);

  auto split = schema::split_for_online(from, to);
  REQUIRE(split.second_needed);
  std::string first_up = schema::render_sql(schema::diff_schemas(from, split.intermediate));
  std::string first_down = schema::render_sql(schema::diff_schemas(split.intermediate, from));
  std::string second_up = schema::render_sql(schema::online_upgrade(split.intermediate, to));
  std::string second_down = schema::render_sql(schema::online_downgrade(to, split.intermediate));
  INFO("first:\n" << first_up << "second:\n" << second_up << "second down:\n" << second_down);
  // The first: the new table and its index as they are, the constraints on
  // existing tables NOT VALID, no index on an existing table.
  CHECK(first_up.find("CREATE INDEX notes_order ON public.notes") != std::string::npos);
  CHECK(first_up.find("users_email") == std::string::npos);
  CHECK(first_up.find("ADD CONSTRAINT orders_user_id_fkey FOREIGN KEY (user_id) REFERENCES "
                      "public.users(id) NOT VALID;") != std::string::npos);
  CHECK(first_up.find("ADD CONSTRAINT orders_small CHECK ((total < (1000)::numeric)) NOT VALID;") !=
        std::string::npos);
  // The second: the build and the validations, outside a transaction.
  CHECK(second_up.find("CREATE INDEX CONCURRENTLY users_email ON public.users") !=
        std::string::npos);
  CHECK(second_up.find("ALTER TABLE public.orders VALIDATE CONSTRAINT orders_user_id_fkey;") !=
        std::string::npos);
  CHECK(second_up.find("ALTER TABLE public.orders VALIDATE CONSTRAINT orders_small;") !=
        std::string::npos);
  CHECK(second_down == "DROP INDEX CONCURRENTLY public.users_email;\n");

  in_transaction(work, first_up);
  one_by_one(work, second_up);
  auto rest = schema::diff_schemas(inspect(work), to);
  INFO("left after both:\n" << schema::render_sql(rest));
  CHECK(rest.empty());
  one_by_one(work, second_down);
  in_transaction(work, first_down);
  auto back = schema::diff_schemas(inspect(work), from);
  INFO("left after both downgrades:\n" << schema::render_sql(back));
  CHECK(back.empty());

  // Turned off: one migration, as before.
  auto plain = schema::split_for_online(from, to, {false, false});
  CHECK_FALSE(plain.second_needed);
}

TEST_CASE("online: enum values added and used at once go in a migration of their own first",
          "[autogenerate][db]") {
  const std::string before =
      "CREATE TYPE state AS ENUM ('new', 'done');\nCREATE TABLE jobs (s state DEFAULT 'new');";
  const std::string after =
      "CREATE TYPE state AS ENUM ('new', 'busy', 'done');\n"
      "CREATE TABLE jobs (s state DEFAULT 'busy');";
  std::string work = fresh_database("online_enum_work");
  std::string target = fresh_database("online_enum_target");
  in_transaction(work, before);
  in_transaction(target, after);
  auto from = inspect(work);
  auto to = inspect(target);
  auto added = schema::split_enum_additions(from, to);
  REQUIRE(added.has_value());
  std::string values_up = schema::render_sql(schema::diff_schemas(from, *added));
  std::string change_up = schema::render_sql(schema::diff_schemas(*added, to));
  INFO(values_up << "---\n" << change_up);
  CHECK(values_up.find("ALTER TYPE public.state ADD VALUE 'busy' BEFORE 'done';") !=
        std::string::npos);
  CHECK(change_up.find("ADD VALUE") == std::string::npos);
  // In one transaction PostgreSQL refuses it; in two it converges.
  CHECK_THROWS(in_transaction(work, values_up + change_up));
  in_transaction(work, values_up);
  in_transaction(work, change_up);
  CHECK(schema::diff_schemas(inspect(work), to).empty());
  CHECK_FALSE(schema::split_enum_additions(to, to).has_value());
}
