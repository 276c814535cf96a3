// A declared schema from someone else (issue 30, item 1): a schema/ file that
// would leave the transaction it is loaded in, or run a program on the
// server's machine, is refused at file:line before anything of it runs, and
// nothing of it survives on the scratch server.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "../db/test_database.hpp"
#include "migration_tools/autogenerate/schema_states.hpp"
#include "migration_tools/core/diagnostic.hpp"

using namespace migration_tools;
using namespace migration_tools::test;

namespace {

std::string admin_url_of(const std::string& url) {
  std::string admin = url;
  auto slash = admin.find('/', admin.find("//") + 2);
  admin.replace(slash, admin.find('?') - slash, "/postgres");
  return admin;
}

std::string first_diagnostics(const std::string& url,
                              const std::vector<autogenerate::declared_file>& files) {
  try {
    autogenerate::load_declared_schema(url, files);
  } catch (const migration_file_error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE(
    "a declared file that leaves its transaction is refused at file:line before anything runs",
    "[autogenerate][db][security]") {
  std::string url = fresh_database("declared_escape");
  std::string admin = admin_url_of(url);
  std::string marker = "/tmp/mt_declared_escape_" + std::to_string(::getpid());
  ::unlink(marker.c_str());
  const std::vector<std::string> escapes = {"COMMIT",
                                            "END",
                                            "ROLLBACK",
                                            "ABORT",
                                            "BEGIN",
                                            "START TRANSACTION",
                                            "SAVEPOINT s",
                                            "RELEASE s",
                                            "ROLLBACK TO s",
                                            "PREPARE TRANSACTION 'mt_escape'",
                                            "commit prepared 'mt_escape'",
                                            "end transaction"};
  for (const auto& escape : escapes) {
    DYNAMIC_SECTION(escape) {
      std::string evil = "CREATE TABLE u (id int);\n" + escape +
                         ";\nCREATE ROLE mt_escaped_role;\n"
                         "ALTER DATABASE postgres SET work_mem = '77kB';\n"
                         "COPY (SELECT 1) TO PROGRAM 'touch " +
                         marker + "';\n";
      std::vector<autogenerate::declared_file> files = {
          {"schema/010_ok.sql", "CREATE TABLE t (id int);\n"}, {"schema/020_evil.sql", evil}};
      std::string message = first_diagnostics(url, files);
      INFO(message);
      CHECK(message.find("schema/020_evil.sql:2: error: ") != std::string::npos);
      CHECK(message.find("in a declared schema file") != std::string::npos);
      CHECK(message.find("schema/020_evil.sql:5: error: COPY with PROGRAM") != std::string::npos);
      // Nothing ran: no role, no setting, no file, no table.
      CHECK(
          column(admin, "SELECT count(*) FROM pg_roles WHERE rolname = 'mt_escaped_role'").at(0) ==
          "0");
      CHECK(column(admin,
                   "SELECT count(*) FROM pg_db_role_setting s JOIN pg_database d "
                   "ON d.oid = s.setdatabase WHERE d.datname = 'postgres'")
                .at(0) == "0");
      CHECK(column(admin, "SELECT count(*) FROM pg_prepared_xacts").at(0) == "0");
      CHECK(::access(marker.c_str(), F_OK) != 0);
      CHECK_FALSE(table_exists(url, "t"));
    }
  }
}

TEST_CASE("COPY to or from a server file or STDIN in a declared file is refused",
          "[autogenerate][db][security]") {
  std::string url = fresh_database("declared_copy");
  std::vector<autogenerate::declared_file> files = {
      {"schema/a.sql",
       "CREATE TABLE t (id int);\n\nCOPY t TO '/tmp/mt_declared_copy';\n"
       "COPY t FROM '/etc/passwd';\nCOPY t FROM STDIN;\nCOPY t (id) TO STDOUT;\n"}};
  std::string message = first_diagnostics(url, files);
  INFO(message);
  CHECK(message.find("schema/a.sql:3: error: COPY to or from a server file") != std::string::npos);
  CHECK(message.find("schema/a.sql:4: error: COPY to or from a server file") != std::string::npos);
  CHECK(message.find("schema/a.sql:5: error: COPY FROM STDIN or TO STDOUT") != std::string::npos);
  CHECK(message.find("schema/a.sql:6: error: COPY FROM STDIN or TO STDOUT") != std::string::npos);
  CHECK(::access("/tmp/mt_declared_copy", F_OK) != 0);
}

TEST_CASE("a failure in a later declared file names that file and line", "[autogenerate][db]") {
  std::string url = fresh_database("declared_blame");
  std::vector<autogenerate::declared_file> files = {
      {"schema/010_a.sql", "CREATE TABLE a (id int);\n"},
      {"schema/020_b.sql", "CREATE TABLE b (id int);\n"},
      {"schema/030_c.sql",
       "-- c depends on a\nCREATE TABLE c (a_id int);\n\nCREATE TABLE d (x no_such_type);\n"}};
  std::string message = first_diagnostics(url, files);
  INFO(message);
  CHECK(message.find("schema/030_c.sql:4: error: ") != std::string::npos);
  CHECK(message.find("no_such_type") != std::string::npos);
  CHECK(message.find("010_a.sql") == std::string::npos);

  // Loaded as a whole, a good schema still reads back, and leaves nothing.
  files.back().text = "CREATE TABLE c (a_id int);\n";
  auto model = autogenerate::load_declared_schema(url, files);
  CHECK(model.tables.size() == 3);
  CHECK_FALSE(table_exists(url, "a"));
}

TEST_CASE(
    "pg_dump -s output with its restrict lines loads as a declared schema, and any other "
    "psql meta-command is an error at its line",
    "[autogenerate][db]") {
  std::string url = fresh_database("declared_pg_dump");
  std::vector<autogenerate::declared_file> files = {
      {"schema/dump.sql",
       "--\n-- PostgreSQL database dump\n--\n\n\\restrict Zq8pXo1\n\n"
       "SET statement_timeout = 0;\nSET client_encoding = 'UTF8';\n"
       "SELECT pg_catalog.set_config('search_path', '', false);\n"
       "CREATE TABLE public.t (\n    id integer NOT NULL\n);\n\n\\unrestrict Zq8pXo1\n"}};
  auto model = autogenerate::load_declared_schema(url, files);
  REQUIRE(model.tables.size() == 1);
  CHECK(model.tables[0].name.name == "t");

  files.push_back({"schema/zz_meta.sql", "CREATE TABLE u (id int);\n\\i other.sql\n"});
  std::string message = first_diagnostics(url, files);
  INFO(message);
  CHECK(message.find("schema/zz_meta.sql:2: error: a psql meta-command") != std::string::npos);
  CHECK(message.find("dump.sql") == std::string::npos);
}

TEST_CASE("a declared file that names what a later file creates is told which rename fixes it",
          "[autogenerate][db]") {
  std::string url = fresh_database("declared_order");
  std::vector<autogenerate::declared_file> files = {
      {"schema/010_orders.sql",
       "CREATE TABLE orders (\n  id int PRIMARY KEY,\n  user_id int REFERENCES users (id)\n);\n"},
      {"schema/020_users.sql",
       "-- the users\nCREATE TABLE IF NOT EXISTS public.users (id int PRIMARY KEY);\n"}};
  std::string message = first_diagnostics(url, files);
  INFO(message);
  CHECK(message.find("schema/010_orders.sql:1: error: relation \"users\" does not exist") !=
        std::string::npos);
  CHECK(message.find("the files load in sorted path order, and schema/020_users.sql:2 creates "
                     "'users' later: give that file a name that sorts before "
                     "schema/010_orders.sql") != std::string::npos);
}
