// Scenario 9 of ALEMBIC_SEMANTICS.md against the real PostgreSQL server,
// through the runner's command line (`stamp c1branch@base` is a command-line
// identifier): stamp on scenario 4's graph with heads {d1, c2}. The unit tests
// run it on a simulated version table; here every stamp is checked in the
// database: the version rows, the history rows it wrote, and that it ran no
// migration (the tables t_<rev> stay as they were).
//
// A stamp writes, in the transaction that moves the rows, one `stamp` history
// row per version row it inserts and one `unstamp` row per version row it
// deletes (src/cli/migrate_commands.cpp, record_stamp). A `stamp` row carries
// the file's checksum, which later upgrades check edits against, only when the
// stamp newly marks the revision applied: a revision applied before keeps the
// checksum it was applied with, so a stamp never hides an edit.
#include <algorithm>
#include <catch2/catch.hpp>
#include <fstream>
#include <map>
#include <pqxx/pqxx>
#include <sstream>
#include <tuple>

#include "alembic_runners.hpp"
#include "alembic_scenarios.hpp"
#include "migration_tools/core/checksum.hpp"
#include "migration_tools/core/meaning_checksum.hpp"

using namespace migration_tools::test;

namespace {

const std::string fixture_dir = "tests/db/fixtures/alembic_two_branches/";

// Scenario 4's files, by revision.
const std::map<std::string, std::string> files = {{"a", "001_a.sql"},   {"b", "002_b.sql"},
                                                  {"c1", "003_c1.sql"}, {"d1", "004_d1.sql"},
                                                  {"c2", "005_c2.sql"}, {"d2", "006_d2.sql"}};

// The history row a stamp writes for a version row of `revision` that it
// inserts and thereby newly marks applied.
history_row stamped(const std::string& revision) {
  const std::string& file = files.at(revision);
  std::ifstream in(std::string(ALEMBIC_FIXTURES_DIR) + "/alembic_two_branches/" + file,
                   std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  std::vector<migration_tools::diagnostic> ignored;
  auto parsed = migration_tools::parse_migration(fixture_dir + file, text.str(), ignored);
  return {revision, "stamp", migration_tools::migration_meaning_checksum(parsed),
          fixture_dir + file};
}

// ... that it inserts for a revision that was applied already.
history_row restamped(const std::string& revision) {
  return {revision, "stamp", "NULL", fixture_dir + files.at(revision)};
}

// ... that it deletes.
history_row unstamped(const std::string& revision) {
  return {revision, "unstamp", "NULL", fixture_dir + files.at(revision)};
}

using history = std::vector<history_row>;

history sorted(history rows) {
  std::sort(rows.begin(), rows.end(), [](const history_row& a, const history_row& b) {
    return std::tie(a.revision, a.direction) < std::tie(b.revision, b.direction);
  });
  return rows;
}

}  // namespace

TEST_CASE("Scenario 9 on PostgreSQL: stamp from d1 and c2 moves the related rows and runs nothing",
          "[db][alembic][stamp]") {
  auto g = test_helpers::two_branches();
  scenario_database db(ALEMBIC_BRANCHES_RUNNER, "alembic_scenario_9");
  // Heads {d1, c2}, reached by running the migrations.
  db.ok({"upgrade", "d1"});
  db.ok({"upgrade", "c2"});
  expect_state(db, g, upgraded({"a", "b", "c1", "d1", "c2"}), {"c2", "d1"});
  const strings ran = {"a", "b", "c1", "c2", "d1"};
  // The upgrade rows carry the same checksum and file as a stamp would.
  for (const auto& row : db.history()) {
    INFO(row);
    auto expected = stamped(row.revision);
    CHECK(row.checksum == expected.checksum);
    CHECK(row.file == expected.file);
  }

  SECTION("stamp b leaves b only") {
    db.ok({"stamp", "b"});
    CHECK(db.versions() == strings{"b"});
    CHECK(sorted(db.changes()) == history{restamped("b"), unstamped("c2"), unstamped("d1")});
  }
  SECTION("stamp c1branch@base removes d1 and keeps c2") {
    db.ok({"stamp", "c1branch@base"});
    CHECK(db.versions() == strings{"c2"});
    CHECK(db.changes() == history{unstamped("d1")});
  }
  SECTION("stamp c2branch@head moves c2 to d2 and keeps d1") {
    db.ok({"stamp", "c2branch@head"});
    CHECK(db.versions() == strings{"d1", "d2"});
    CHECK(db.changes() == history{unstamped("c2"), stamped("d2")});
  }
  SECTION("stamp base empties the table") {
    db.ok({"stamp", "base"});
    CHECK(db.versions().empty());
    CHECK(sorted(db.changes()) == history{unstamped("c2"), unstamped("d1")});
  }
  SECTION("stamp of a current row changes no row and records nothing") {
    db.ok({"stamp", "c2"});
    CHECK(db.versions() == strings{"c2", "d1"});
    CHECK(db.changes().empty());
  }
  SECTION("stamp --purge replaces every row") {
    db.ok({"stamp", "--purge", "c2branch@head"});
    CHECK(db.versions() == strings{"d2"});
    // Purged rows are not read, so d2 counts as newly applied.
    CHECK(db.changes() == history{stamped("d2")});
  }
  SECTION("a stamp keeps the checksum an applied revision was applied with") {
    // As if b's file had been edited since it ran: the recorded checksum differs.
    pqxx::connection c(db.url());
    pqxx::work tx(c);
    tx.exec0("UPDATE alembic_version_history SET checksum = 'edited' WHERE revision = 'b'");
    tx.commit();
    db.changes();
    auto edited = [&] {
      auto r = db.run({"check"});
      CHECK(r.exit_code != 0);
      CHECK(r.out.find("002_b.sql") != std::string::npos);
      CHECK(r.out.find("edited since applied") != std::string::npos);
    };
    edited();
    db.ok({"stamp", "c1branch@base"});
    edited();
    db.ok({"stamp", "b"});
    CHECK(sorted(db.changes()) == history{restamped("b"), unstamped("c2"), unstamped("d1")});
    edited();
  }
  SECTION("an unknown identifier changes nothing") {
    auto r = db.run({"stamp", "x@head"});
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("no such branch 'x'") != std::string::npos);
    CHECK(db.versions() == strings{"c2", "d1"});
    CHECK(db.changes().empty());
  }
  SECTION("the steps of scenario 9 one after another") {
    db.ok({"stamp", "c1branch@base"});
    CHECK(db.versions() == strings{"c2"});
    db.ok({"stamp", "c2branch@head"});
    CHECK(db.versions() == strings{"d2"});
    db.ok({"stamp", "b"});
    CHECK(db.versions() == strings{"b"});
    CHECK(db.changes() == history{unstamped("d1"), unstamped("c2"), stamped("d2"), unstamped("d2"),
                                  restamped("b")});
    // Stamped at the heads, the runner has nothing left to run.
    db.ok({"stamp", "heads"});
    CHECK(db.versions() == strings{"d1", "d2"});
    CHECK(sorted(db.changes()) == history{unstamped("b"), stamped("d1"), stamped("d2")});
    auto r = db.ok({"upgrade", "heads"});
    CHECK(r.err.find("nothing to do") != std::string::npos);
    CHECK(db.changes().empty());
  }
  // Whatever the stamp, no migration ran: the tables are those of the upgrades.
  CHECK(db.tables() == ran);
}
