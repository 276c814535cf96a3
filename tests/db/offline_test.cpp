// Offline mode: `upgrade [FROM:]TO --sql` and `downgrade FROM:TO --sql` print a
// script that psql applies to the same end state as the online commands.
#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <pqxx/pqxx>

#include "migration_tools/postgres/advisory_lock.hpp"
#include "migration_tools/postgres/bookkeeping_sql.hpp"
#include "psql.hpp"
#include "runners.hpp"
#include "test_database.hpp"

using namespace migration_tools::test;
namespace sql = migration_tools::bookkeeping_sql;

namespace {

// Offline commands never connect: they get a URL that cannot work.
const std::string no_database = "postgresql://nobody:secret@/no_such_db?host=/nonexistent";

// The offline fixture keeps its bookkeeping in the schema `off'line "books"`.
const migration_tools::bookkeeping_names offline_names{"off'line \"books\"", "mt_offline_version"};
const std::string offline_schema = "\"off'line \"\"books\"\"\"";
const std::string offline_versions = offline_schema + ".\"mt_offline_version\"";
const std::string offline_history = offline_schema + ".\"mt_offline_version_history\"";

process_result offline(const std::string& url, std::vector<std::string> args) {
  return run_runner(OFFLINE_RUNNER, url, std::move(args));
}

process_result psql(const std::string& url, const std::string& script, const std::string& name) {
  return apply_script(url, script, "offline-" + name);
}

// Everything the two runs must agree on: version rows, history (revision,
// direction, checksum, file, in order), relations, functions and data.
std::vector<std::string> snapshot(const std::string& url, const std::string& versions,
                                  const std::string& history, const std::string& data) {
  std::vector<std::string> out;
  auto add = [&](const std::string& label, const std::string& query) {
    out.push_back(label + ": " + column(url, query).at(0));
  };
  add("versions",
      "SELECT coalesce(string_agg(version_num, ',' ORDER BY version_num), '') FROM " + versions);
  add("history",
      "SELECT coalesce(string_agg(revision || ':' || direction || ':' ||"
      " coalesce(checksum, '-') || ':' || coalesce(file, '-'), E'\\n' ORDER BY id), '')"
      " FROM " +
          history);
  add("history per direction",
      "SELECT coalesce(string_agg(d || '=' || n, ',' ORDER BY d), '') FROM"
      " (SELECT direction AS d, count(*) AS n FROM " +
          history + " GROUP BY direction) s");
  add("relations",
      "SELECT coalesce(string_agg(n.nspname || '.' || c.relname || ':' || c.relkind::text, ','"
      " ORDER BY n.nspname, c.relname), '') FROM pg_class c JOIN pg_namespace n"
      " ON n.oid = c.relnamespace WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')"
      " AND n.nspname NOT LIKE 'pg_toast%' AND c.relkind IN ('r', 'v', 'i', 'S')");
  add("functions",
      "SELECT coalesce(string_agg(p.proname, ',' ORDER BY p.proname), '') FROM pg_proc p"
      " JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public'");
  if (!data.empty()) add("data", data);
  return out;
}

std::vector<std::string> offline_snapshot(const std::string& url) {
  bool notes = table_exists(url, "public.notes");
  bool tags = table_exists(url, "public.tags");
  std::string data =
      "SELECT concat_ws(' | ', " +
      std::string(notes ? "(SELECT string_agg(id || '=' || body, ',' ORDER BY id) FROM notes), "
                          "obj_description('public.notes'::regclass, 'pg_class')"
                        : "'no notes'") +
      ", " + (tags ? "(SELECT string_agg(name, ',' ORDER BY name) FROM tags)" : "'no tags'") + ")";
  return snapshot(url, offline_versions, offline_history, data);
}

std::vector<std::string> linear_snapshot(const std::string& url) {
  return snapshot(
      url, "mt_linear_version", "mt_linear_version_history",
      table_exists(url, "public.items")
          ? "SELECT coalesce(string_agg(id || '=' || name, ',' ORDER BY id), '') FROM items"
          : "");
}

// The script of an offline command, which must succeed.
std::string script_of(const char* runner, std::vector<std::string> args) {
  auto r = run_runner(runner, no_database, std::move(args));
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.err.find("using database") == std::string::npos);
  return r.out;
}

void require_ok(const process_result& r) {
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
}

}  // namespace

TEST_CASE("offline: upgrade base to head with psql gives the online upgrade's database",
          "[db][offline]") {
  auto online_url = fresh_database("off_full_online");
  auto script_url = fresh_database("off_full_script");
  require_ok(offline(online_url, {"upgrade"}));

  auto script = script_of(OFFLINE_RUNNER, {"upgrade", "--sql"});
  CHECK(script == script_of(OFFLINE_RUNNER, {"upgrade", "base:head", "--sql"}));
  require_ok(psql(script_url, script, "full"));

  auto online = offline_snapshot(online_url);
  CHECK(online.at(0) == "versions: off_e");
  CHECK(online.at(2) == "history per direction: upgrade=6");
  CHECK(offline_snapshot(script_url) == online);

  SECTION("the same script refuses to run twice and changes nothing") {
    auto again = psql(script_url, script, "full-again");
    CHECK(again.exit_code != 0);
    CHECK(again.err.find("this script starts from base") != std::string::npos);
    CHECK(offline_snapshot(script_url) == online);
  }

  SECTION("the script does not run while a runner holds the migration lock") {
    auto fresh = fresh_database("off_full_locked");
    pqxx::connection holder(fresh);
    pqxx::nontransaction tx(holder);
    tx.exec_params("SELECT pg_advisory_lock($1)",
                   migration_tools::advisory_lock::key_for(sql::version_table(offline_names)));
    auto locked = psql(fresh, script, "full-locked");
    CHECK(locked.exit_code != 0);
    CHECK(locked.err.find("another runner holds the migration lock") != std::string::npos);
    CHECK_FALSE(table_exists(fresh, "public.notes"));
  }
}

TEST_CASE("offline: upgrade FROM:TO in the middle of the graph matches the online upgrade",
          "[db][offline]") {
  SECTION("from one side of a merge to the head") {
    auto online_url = fresh_database("off_mid_online");
    auto script_url = fresh_database("off_mid_script");
    require_ok(offline(online_url, {"upgrade", "off_b"}));
    require_ok(offline(script_url, {"upgrade", "off_b"}));
    require_ok(offline(online_url, {"upgrade", "head"}));

    auto script = script_of(OFFLINE_RUNNER, {"upgrade", "off_b:head", "--sql"});
    // off_d is `transactional false`: its progress table is made sure of, and
    // nothing else is created.
    CHECK(script.find("-- Create the bookkeeping tables that do not exist yet") !=
          std::string::npos);
    CHECK(script.find("CREATE TABLE notes") == std::string::npos);
    require_ok(psql(script_url, script, "mid"));
    CHECK(offline_snapshot(script_url) == offline_snapshot(online_url));
  }
  SECTION("past the linear fixture's C++ migration, with a relative target") {
    auto online_url = fresh_database("off_mid_linear_online");
    auto script_url = fresh_database("off_mid_linear_script");
    require_ok(linear(online_url, {"upgrade", "rev_c"}));
    require_ok(linear(script_url, {"upgrade", "rev_c"}));
    require_ok(linear(online_url, {"upgrade", "rev_d"}));

    auto script = script_of(LINEAR_RUNNER, {"upgrade", "rev_c:+1", "--sql"});
    require_ok(psql(script_url, script, "mid-linear"));
    auto online = linear_snapshot(online_url);
    CHECK(online.at(0) == "versions: rev_d");
    CHECK(linear_snapshot(script_url) == online);
  }
}

TEST_CASE("offline: downgrade FROM:TO matches the online downgrade", "[db][offline]") {
  auto online_url = fresh_database("off_down_online");
  auto script_url = fresh_database("off_down_script");
  require_ok(offline(online_url, {"upgrade"}));
  require_ok(offline(script_url, {"upgrade"}));

  SECTION("through the merge and the non-transactional migration") {
    require_ok(offline(online_url, {"downgrade", "off_a"}));
    require_ok(
        psql(script_url, script_of(OFFLINE_RUNNER, {"downgrade", "off_e:off_a", "--sql"}), "down"));
    auto online = offline_snapshot(online_url);
    CHECK(online.at(0) == "versions: off_a");
    CHECK(online.at(2) == "history per direction: downgrade=5,upgrade=6");
    CHECK(offline_snapshot(script_url) == online);
  }
  SECTION("to the merge's parents, which become heads again") {
    require_ok(offline(online_url, {"downgrade", "off_b"}));
    require_ok(psql(script_url, script_of(OFFLINE_RUNNER, {"downgrade", "head:off_b", "--sql"}),
                    "down-split"));
    auto online = offline_snapshot(online_url);
    CHECK(online.at(0) == "versions: off_b,off_c");
    CHECK(offline_snapshot(script_url) == online);
  }
  SECTION("to base") {
    require_ok(offline(online_url, {"downgrade", "base"}));
    require_ok(psql(script_url, script_of(OFFLINE_RUNNER, {"downgrade", "off_e:base", "--sql"}),
                    "down-base"));
    auto online = offline_snapshot(online_url);
    CHECK(online.at(0) == "versions: ");
    CHECK(offline_snapshot(script_url) == online);
  }
}

TEST_CASE("offline: a range with a C++ migration is refused, naming its file", "[db][offline]") {
  auto up = linear(no_database, {"upgrade", "--sql"});
  CHECK(up.exit_code == 2);
  CHECK(up.out.empty());
  CHECK(up.err.find("003_rev_c_seed_items.cpp") != std::string::npos);
  CHECK(up.err.find("'rev_c'") != std::string::npos);
  CHECK(up.err.find("C++ migration") != std::string::npos);

  auto down = linear(no_database, {"downgrade", "rev_e:rev_b", "--sql"});
  CHECK(down.exit_code == 2);
  CHECK(down.out.empty());
  CHECK(down.err.find("003_rev_c_seed_items.cpp") != std::string::npos);

  // Ranges that leave it out are fine.
  CHECK(linear(no_database, {"upgrade", "rev_b", "--sql"}).exit_code == 0);
  CHECK(linear(no_database, {"downgrade", "rev_e:rev_c", "--sql"}).exit_code == 0);
}

TEST_CASE("offline: downgrade without an explicit FROM is refused", "[db][offline]") {
  for (std::vector<std::string> args : {std::vector<std::string>{"downgrade", "-1", "--sql"},
                                        std::vector<std::string>{"downgrade", "off_a", "--sql"},
                                        std::vector<std::string>{"downgrade", ":off_a", "--sql"},
                                        std::vector<std::string>{"downgrade", "--sql"}}) {
    auto r = offline(no_database, args);
    INFO(args.at(1) << ": " << r.err);
    CHECK(r.exit_code == 2);
    CHECK(r.out.empty());
    CHECK(r.err.find("FROM:TO") != std::string::npos);
  }
}

TEST_CASE("offline: each migration sits between comments naming its revision and file",
          "[offline]") {
  auto script = script_of(OFFLINE_RUNNER, {"upgrade", "--sql"});
  // The bookkeeping tables come first, in the quoted schema.
  auto ddl = script.find("CREATE TABLE IF NOT EXISTS " + offline_versions);
  REQUIRE(ddl != std::string::npos);
  CHECK(script.find("CREATE SCHEMA IF NOT EXISTS " + offline_schema) < ddl);

  struct expected {
    std::string header, file, body;
  };
  const std::string dir = "tests/db/fixtures/offline/";
  std::vector<expected> steps = {
      {"upgrade <base> -> off_a: create notes", "001_off_a_create_notes.sql", "CREATE TABLE notes"},
      {"upgrade off_a -> off_b: the first note, it's quoted", "002_off_b_first_note.sql",
       "CREATE FUNCTION note_count()"},
      {"upgrade off_a -> off_c: create tags", "003_off_c_create_tags.sql", "CREATE TABLE tags"},
      {"upgrade off_b, off_c -> off_m: merge notes and tags", "004_off_m_merge.sql",
       "INSERT INTO tags VALUES ('merged')"},
      {"upgrade off_m -> off_d: index note bodies concurrently", "005_off_d_index_concurrently.sql",
       "CREATE INDEX CONCURRENTLY notes_body_idx"},
      {"upgrade off_d -> off_e: notes with their tags", "006_off_e_note_view.sql",
       "CREATE VIEW tagged_notes"},
  };
  // Cut the script at each "-- Running" comment: one block per migration.
  std::vector<std::string> blocks;
  for (size_t at = script.find("\n-- Running "); at != std::string::npos;) {
    size_t next = script.find("\n-- Running ", at + 1);
    blocks.push_back(
        script.substr(at + 1, next == std::string::npos ? std::string::npos : next - at));
    at = next;
  }
  REQUIRE(blocks.size() == steps.size());
  for (size_t i = 0; i < steps.size(); ++i) {
    const auto& block = blocks[i];
    const auto& step = steps[i];
    INFO(block);
    std::string revision = step.header.substr(step.header.find("-> ") + 3);
    revision = revision.substr(0, revision.find(':'));
    CHECK(block.rfind("-- Running " + step.header + "\n-- file: " + dir + step.file + "\n", 0) ==
          0);
    CHECK(block.find(step.body) != std::string::npos);
    CHECK(block.find("VALUES ('" + revision +
                     "'::pg_catalog.text, 'upgrade'::pg_catalog.text, '") != std::string::npos);
    CHECK(block.find("'" + dir + step.file + "'") != std::string::npos);
    // Nobody else's SQL in this block.
    for (size_t j = 0; j < steps.size(); ++j)
      if (j != i) CHECK(block.find(steps[j].body) == std::string::npos);
    auto begin = block.find("BEGIN;\n");
    auto commit = block.find("COMMIT;\n");
    REQUIRE(begin != std::string::npos);
    REQUIRE(commit != std::string::npos);
    if (revision == "off_d") {
      // Not transactional: the statement runs before the bookkeeping's BEGIN.
      CHECK(block.find(step.body) < begin);
    } else {
      CHECK(begin < block.find(step.body));
      CHECK(block.find(step.body) < commit);
    }
  }
  // The merge deletes one head and moves the other, each checked to touch one row.
  CHECK(blocks[3].find("DELETE FROM " + offline_versions +
                       " WHERE version_num OPERATOR(pg_catalog.=) 'off_b'::pg_catalog.text") !=
        std::string::npos);
  CHECK(blocks[3].find("UPDATE " + offline_versions +
                       " SET version_num = 'off_m'::pg_catalog.text WHERE version_num "
                       "OPERATOR(pg_catalog.=) 'off_c'::pg_catalog.text") != std::string::npos);
  CHECK(blocks[3].find("GET DIAGNOSTICS") != std::string::npos);
  // A last statement without ';' gets one.
  CHECK(blocks[1].find("-- no ';' after this statement\n;\n") != std::string::npos);
}

TEST_CASE("offline: identifiers are always quoted and literals escaped", "[offline]") {
  CHECK(sql::quote_identifier("users") == "\"users\"");
  CHECK(sql::quote_identifier("my \"odd\" table") == "\"my \"\"odd\"\" table\"");
  CHECK(sql::quote_literal("it's") == "'it''s'");
  CHECK(sql::quote_literal("C:\\dir") == "E'C:\\\\dir'");
  CHECK(sql::quote_literal("") == "''");
  migration_tools::bookkeeping_names names{"a$1 \"b\"", "v"};
  CHECK(sql::version_table(names) == "\"a$1 \"\"b\"\"\".\"v\"");
  CHECK(sql::inline_params(sql::version_table_exists(names)) ==
        "SELECT pg_catalog.to_regclass('\"a$1 \"\"b\"\"\".\"v\"'::pg_catalog.text) IS NOT NULL");
  auto changes = sql::version_row_changes(names, {{"x"}, "y", "z", {"w"}});
  REQUIRE(changes.size() == 3);
  CHECK(sql::inline_params(changes[1].sql) ==
        "UPDATE \"a$1 \"\"b\"\"\".\"v\" SET version_num = 'z'::pg_catalog.text WHERE "
        "version_num OPERATOR(pg_catalog.=) 'y'::pg_catalog.text");
  CHECK(changes[1].expect_one_row);
  CHECK_FALSE(changes[2].expect_one_row);
  auto history =
      sql::inline_params(sql::insert_history_row(names, {"r", "upgrade", "", "f'1", ""}));
  CHECK(history.find(
            "VALUES ('r'::pg_catalog.text, 'upgrade'::pg_catalog.text, NULL::pg_catalog.text,"
            " 'f''1'::pg_catalog.text, pg_catalog.now()") != std::string::npos);
  // Every function and operator the runner writes is pg_catalog's (issue 18).
  CHECK(history.find("OPERATOR(pg_catalog.*)") != std::string::npos);
}

TEST_CASE(
    "offline: a script checks what upgrade checks: no failed state, no edited applied "
    "migration",
    "[offline][safety]") {
  std::string url = fresh_database("offline_guards");
  require_ok(offline(url, {"upgrade", "off_b"}));
  auto script = script_of(OFFLINE_RUNNER, {"upgrade", "off_b:head", "--sql"});
  std::string progress = offline_schema + ".\"mt_offline_version_progress\"";

  // An applied migration recorded with another checksum: its file was edited.
  column(url, "UPDATE " + offline_history + " SET checksum = 'edited' WHERE revision = 'off_a'");
  auto r = psql(url, script, "guard-edited");
  CHECK(r.exit_code != 0);
  CHECK(r.err.find("applied migrations were edited since they were applied: off_a") !=
        std::string::npos);
  // Recorded afresh with the file's checksum, as `repair` does.
  require_ok(offline(url, {"repair"}));

  // A transactional-false migration that stopped part-way.
  column(url, "INSERT INTO " + progress +
                  " (revision, direction, statement_index, statement_line, statement_checksum,"
                  " started_at) VALUES ('off_d', 'upgrade', 1, 6, 'x', now())");
  r = psql(url, script, "guard-progress");
  CHECK(r.exit_code != 0);
  CHECK(r.err.find("a transactional-false migration failed part-way") != std::string::npos);
  CHECK(column(url, "SELECT string_agg(version_num, ',') FROM " + offline_versions).at(0) ==
        "off_b");

  column(url, "DELETE FROM " + progress);
  r = psql(url, script, "guard-clear");
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(column(url, "SELECT string_agg(version_num, ',') FROM " + offline_versions).at(0) ==
        "off_e");
}

TEST_CASE(
    "offline: a script that cannot be written whole is an error, and --output is all or "
    "nothing",
    "[offline][safety]") {
  // A full disk: exit 1 and no claim of success.
  auto full = run_process({"/bin/sh", "-c",
                           std::string("'") + OFFLINE_RUNNER + "' --url '" + no_database +
                               "' upgrade --sql > /dev/full"});
  CHECK(full.exit_code == 1);
  CHECK(full.err.find("cannot write the script to standard output") != std::string::npos);
  CHECK(full.err.find("wrote an offline") == std::string::npos);

  auto dir = std::filesystem::temp_directory_path() / "mt-offline-output";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  std::string file = (dir / "upgrade.sql").string();
  auto written = offline(no_database, {"upgrade", "--sql", "--output", file});
  REQUIRE(written.exit_code == 0);
  CHECK(written.out.empty());
  std::ifstream in(file);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK(text == script_of(OFFLINE_RUNNER, {"upgrade", "--sql"}));

  // A folder that cannot take it: exit 1, and neither the file nor a
  // temporary one is left.
  auto missing =
      offline(no_database, {"upgrade", "--sql", "--output", (dir / "no/such.sql").string()});
  CHECK(missing.exit_code == 1);
  CHECK(missing.err.find("no complete script was written") != std::string::npos);
  size_t entries = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir)) ++entries;
  CHECK(entries == 1);
  std::filesystem::remove_all(dir);
}
