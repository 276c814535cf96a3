// Property test of offline mode (`--sql`): on randomly generated revision
// graphs, the script of a range applied with psql gives the same database as
// the online run of that range. The README promises exactly this ("The result
// is the same database, version rows and history as the online command
// gives"); tests/db/offline_test.cpp checks it on fixture graphs only.
//
// For each graph (random_graphs.hpp: branches, merges, several bases,
// depends_on), with migrations of several kinds (transactional false with
// CREATE INDEX CONCURRENTLY, a last statement without ';', a lock_timeout
// header, a message with a quote and a percent sign), these ranges:
//   - upgrade base:heads;
//   - upgrade FROM:TO and downgrade FROM:TO for random FROM and TO (revisions,
//     heads, base, relative steps).
// Two databases are brought to FROM online. One then runs the range online,
// the way the runner's migrate() does (plan from the version rows, then
// step_executor with advance's row changes); the other gets the script that
// the runner's `--sql` writes (engine::write_offline_script, called in-process
// on the in-memory graph, with FROM resolved as offline_command does),
// applied with `psql -X -q -v ON_ERROR_STOP=1 -f`. Both must end with the
// same version rows, history rows (revision, direction, checksum, file,
// error, in order), relations and data.
//
// The seeds are fixed; MIGRATION_TOOLS_PROPERTY_SEED=<n> runs other graphs,
// and every failure reports the seed, the graph and the range.
#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>

#include "migration_tools/core/checksum.hpp"
#include "migration_tools/core/planner.hpp"
#include "migration_tools/core/revision_resolver.hpp"
#include "migration_tools/postgres/advisory_lock.hpp"
#include "migration_tools/postgres/bookkeeping.hpp"
#include "migration_tools/postgres/step_executor.hpp"
#include "offline_script.hpp"
#include "process.hpp"
#include "psql.hpp"
#include "random_graphs.hpp"
#include "test_database.hpp"

using namespace migration_tools;
using test_helpers::rev;

namespace {

constexpr int graphs_per_test = 20;
constexpr int ranges_per_direction = 2;

// Bookkeeping in a schema whose name needs quoting, in scripts too.
const bookkeeping_names names{"off prop's \"books\"", "offprop_version"};

// The migration kinds the script writer treats differently from the runner.
enum class kind { plain, non_transactional, no_last_semicolon, lock_timeout };

const char* kind_name(kind k) {
  switch (k) {
    case kind::plain:
      return "plain";
    case kind::non_transactional:
      return "transactional false";
    case kind::no_last_semicolon:
      return "no ';' after the last statement";
    case kind::lock_timeout:
      return "lock_timeout header";
  }
  return "?";
}

// Revision X creates table t_X (and drops it again), in one of the kinds.
std::string migration_text(const rev& r, kind k) {
  std::string t = "t_" + r.revision;
  std::string text = "-- migrate:revision " + r.revision + "\n";
  text += "-- migrate:down_revision " + (r.down.empty() ? std::string("none") : r.down) + "\n";
  if (!r.depends.empty()) text += "-- migrate:depends_on " + r.depends + "\n";
  text += "-- migrate:message " + r.revision + ": it's 100% " + kind_name(k) + "\n";
  switch (k) {
    case kind::plain:
      text += "\n-- migrate:upgrade\nCREATE TABLE " + t + " (id int);\n";
      text += "\n-- migrate:downgrade\nDROP TABLE " + t + ";\n";
      break;
    case kind::non_transactional:
      text += "-- migrate:transactional false\n";
      text += "\n-- migrate:upgrade\nCREATE TABLE " + t + " (id int);\nCREATE INDEX CONCURRENTLY " +
              t + "_id ON " + t + " (id);\n";
      text +=
          "\n-- migrate:downgrade\nDROP INDEX CONCURRENTLY " + t + "_id;\nDROP TABLE " + t + ";\n";
      break;
    case kind::no_last_semicolon:
      text += "\n-- migrate:upgrade\nCREATE TABLE " + t + " (id int, note text);\nINSERT INTO " +
              t + " VALUES (1, 'it''s; 100%')\n";
      text += "\n-- migrate:downgrade\nDROP TABLE " + t + "\n";
      break;
    case kind::lock_timeout:
      text += "-- migrate:lock_timeout 5s\n";
      text += "\n-- migrate:upgrade\nCREATE TABLE " + t + " (id int);\nINSERT INTO " + t +
              " VALUES (2);\n";
      text += "\n-- migrate:downgrade\nDROP TABLE " + t + ";\n";
      break;
  }
  return text;
}

// A random graph with its migrations, parsed like files.
struct generated_graph {
  std::string description;  // for failure messages
  revision_graph graph;
  std::map<std::string, std::string> checksums;  // by revision
};

generated_graph generate(std::mt19937& rng) {
  generated_graph out;
  auto revs = test_helpers::random_graph(rng);
  out.description = test_helpers::describe(revs);
  std::vector<migration> migrations;
  for (const auto& r : revs) {
    int roll = static_cast<int>(rng() % 100);
    kind k = roll < 55   ? kind::plain
             : roll < 75 ? kind::non_transactional
             : roll < 90 ? kind::no_last_semicolon
                         : kind::lock_timeout;
    out.description += r.revision + ": " + kind_name(k) + "\n";
    std::string text = migration_text(r, k);
    std::vector<diagnostic> ds;
    migrations.push_back(parse_migration(test_helpers::path_of(r), text, ds));
    if (!ds.empty())
      throw std::logic_error("test migration does not parse:\n" + format_diagnostics(ds));
    out.checksums[r.revision] = migration_checksum(text);
  }
  out.graph = revision_graph::build_or_throw(std::move(migrations));
  return out;
}

// Back to an empty database: no bookkeeping, no t_* tables.
void reset(pqxx::connection& c) {
  pqxx::work tx(c);
  tx.exec0("DROP SCHEMA IF EXISTS " + bookkeeping_sql::quote_identifier(names.schema) + " CASCADE");
  tx.exec0("DROP SCHEMA public CASCADE");
  tx.exec0("CREATE SCHEMA public");
  tx.commit();
}

// One database of the test cluster, with its connection and bookkeeping. One
// bookkeeping object per connection, as in the runner: it names the
// statements it prepares on the connection.
struct database {
  explicit database(const std::string& name)
      : url(test::fresh_database(name)), connection(url), books(connection, names) {}
  std::string url;
  pqxx::connection connection;
  bookkeeping books;
};

// `upgrade target` or `downgrade target` as the runner's migrate() runs it:
// bookkeeping created under the lock, a plan from the version rows, then
// each step with the row changes of advance(). Returns the number of steps.
size_t run_online(database& db, const generated_graph& gen, direction dir,
                  const std::string& target) {
  const auto& g = gen.graph;
  advisory_lock lock(db.connection, db.books.version_table(), std::chrono::seconds(10),
                     [](const std::string&) {});
  db.books.create();
  auto state = state_from_version_rows(g, db.books.version_rows());
  plan p =
      dir == direction::upgrade ? plan_upgrade(g, state, target) : plan_downgrade(g, state, target);
  step_executor executor(db.connection, db.books);
  for (node_id id : p.steps) {
    auto change = advance(g, state, id, dir);
    executor.run(g.at(id), dir, change, gen.checksums.at(g.revision(id)));
  }
  return p.steps.size();
}

// What offline_command assumes FROM means: FROM and everything below it.
applied_state state_at(const revision_graph& g, const std::string& from) {
  applied_state state;
  state.applied = g.closure_down(revision_resolver(g, {}).resolve(from));
  state.heads = g.heads_of(state.applied);
  return state;
}

// A range of one direction: FROM:TO.
struct range {
  direction dir;
  std::string from, to;
  std::string text() const {
    return std::string(dir == direction::upgrade ? "upgrade " : "downgrade ") + from + ":" + to;
  }
};

plan plan_of(const revision_graph& g, const range& r) {
  auto from = state_at(g, r.from);
  return r.dir == direction::upgrade ? plan_upgrade(g, from, r.to) : plan_downgrade(g, from, r.to);
}

// A random valid range: FROM is base, heads or a revision; TO a revision that
// can be reached from FROM in that direction, or heads, base or a relative
// step when that is valid there.
range random_range(const revision_graph& g, direction dir, std::mt19937& rng) {
  auto pick = [&](const std::vector<std::string>& from) { return from[rng() % from.size()]; };
  std::vector<std::string> all;
  for (node_id id = 0; id < static_cast<node_id>(g.size()); ++id) all.push_back(g.revision(id));
  const bool up = dir == direction::upgrade;
  range r{dir, "", ""};
  int roll = static_cast<int>(rng() % 100);
  r.from = roll < 20 ? (up ? "base" : "heads") : pick(all);
  auto applied = state_at(g, r.from).applied;
  std::vector<std::string> reachable;  // unapplied for an upgrade, applied for a downgrade
  for (node_id id = 0; id < static_cast<node_id>(g.size()); ++id)
    if ((applied[static_cast<size_t>(id)] != 0) != up) reachable.push_back(g.revision(id));
  std::vector<std::string> candidates = {up ? "heads" : "base", up ? "+1" : "-1"};
  if (!reachable.empty()) candidates.insert(candidates.end(), 4, pick(reachable));
  for (;;) {
    r.to = pick(candidates);
    try {
      plan_of(g, r);
      return r;
    } catch (const revision_error&) {
      // An ambiguous or too long relative step: the runner refuses it both
      // ways, so it is no range to compare.
    }
  }
}

// Everything the two runs must agree on.
std::vector<std::string> snapshot(pqxx::connection& c) {
  std::vector<std::string> out;
  pqxx::nontransaction tx(c);
  auto add = [&](const std::string& label, const std::string& query) {
    auto r = tx.exec1(query);
    out.push_back(label + ": " + (r[0].is_null() ? "" : r[0].c_str()));
  };
  bool books = tx.exec1("SELECT to_regclass(" +
                        bookkeeping_sql::quote_literal(bookkeeping_sql::version_table(names)) +
                        ") IS NOT NULL")[0]
                   .as<bool>();
  if (books) {
    add("versions", "SELECT string_agg(version_num, ',' ORDER BY version_num) FROM " +
                        bookkeeping_sql::version_table(names));
    add("history",
        "SELECT string_agg(concat_ws(':', revision, direction, checksum, file, error),"
        " E'\\n' ORDER BY id) FROM " +
            bookkeeping_sql::history_table(names));
    add("progress rows", "SELECT count(*) FROM " + bookkeeping_sql::progress_table(names));
  }
  add("relations",
      "SELECT string_agg(n.nspname || '.' || c.relname || ':' || c.relkind::text, ','"
      " ORDER BY n.nspname, c.relname) FROM pg_class c JOIN pg_namespace n"
      " ON n.oid = c.relnamespace WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')"
      " AND n.nspname NOT LIKE 'pg_toast%' AND c.relkind IN ('r', 'v', 'i', 'S')");
  add("invalid indexes", "SELECT count(*) FROM pg_index WHERE NOT indisvalid");
  for (const auto& row : tx.exec("SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
                                 " AND tablename LIKE 't\\_%' ORDER BY tablename")) {
    std::string table = row[0].c_str();
    add(table, "SELECT string_agg(to_jsonb(t)::text, ',' ORDER BY to_jsonb(t)::text) FROM " +
                   tx.quote_name(table) + " t");
  }
  return out;
}

// Runs one range both ways and compares. Returns the number of migrations run.
size_t compare_range(database& online, database& offline, const generated_graph& gen,
                     const range& r, const std::string& script_path) {
  const auto& g = gen.graph;
  INFO("range " << r.text());
  reset(online.connection);
  reset(offline.connection);
  // Both at FROM, online; from base the script creates the bookkeeping itself.
  if (r.from != "base") {
    run_online(online, gen, direction::upgrade, r.from);
    run_online(offline, gen, direction::upgrade, r.from);
  }
  size_t steps = run_online(online, gen, r.dir, r.to);

  auto from = state_at(g, r.from);
  plan p = plan_of(g, r);
  REQUIRE(p.steps.size() == steps);
  std::string script = engine::write_offline_script(
      {g, names, "offline_property", std::string("offline_property ") + r.text() + " --sql", from,
       p, [&](node_id id) { return gen.checksums.at(g.revision(id)); }, timeouts{}});
  auto applied = test::apply_script_file(offline.url, script, script_path);
  INFO("psql -f " << script_path << ":\n" << applied.out << applied.err);
  REQUIRE(applied.exit_code == 0);
  CHECK(applied.err.empty());

  // A mismatch stops here, keeping the script for a look.
  auto expected = snapshot(online.connection);
  REQUIRE(snapshot(offline.connection) == expected);
  // And both are where the planner says the range ends.
  applied_state to = from;
  for (node_id id : p.steps) advance(g, to, id, r.dir);
  CHECK(offline.books.version_rows() == test_helpers::sorted_names(g, to.heads));
  std::filesystem::remove(script_path);
  return steps;
}

}  // namespace

TEST_CASE("random graphs: an offline script applied with psql gives the online run's database",
          "[db][offline][property]") {
  database online("mt_offline_property_online");
  database offline("mt_offline_property_script");
  size_t migrations_run = 0;
  for (int i = 0; i < graphs_per_test; ++i) {
    unsigned seed = test_helpers::base_seed() + 2000u + static_cast<unsigned>(i);
    std::mt19937 rng(seed);
    auto gen = generate(rng);
    INFO("seed " << seed << " (MIGRATION_TOOLS_PROPERTY_SEED=" << test_helpers::base_seed()
                 << ", graph " << i << "), graph:\n"
                 << gen.description);
    auto path = (std::filesystem::temp_directory_path() /
                 ("mt-offline-property-" + std::to_string(seed) + ".sql"))
                    .string();
    std::vector<range> ranges = {{direction::upgrade, "base", "heads"}};
    for (int k = 0; k < ranges_per_direction; ++k) {
      ranges.push_back(random_range(gen.graph, direction::upgrade, rng));
      ranges.push_back(random_range(gen.graph, direction::downgrade, rng));
    }
    for (const auto& r : ranges) migrations_run += compare_range(online, offline, gen, r, path);
  }
  // Not a vacuous comparison of empty databases.
  CHECK(migrations_run > static_cast<size_t>(graphs_per_test) * 10);
}
