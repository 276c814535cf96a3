// The version rows of one step change in one statement with its history row
// (bookkeeping::apply_and_record). Whatever the statement's shape, an update
// or delete that touches no row must fail the step, and nothing of the step
// may stay: someone else changed the version table under this run.
#include "migration_tools/postgres/bookkeeping.hpp"

#include <catch2/catch.hpp>
#include <pqxx/pqxx>

#include "migration_tools/postgres/errors.hpp"
#include "test_database.hpp"

using namespace migration_tools;

namespace {

// A database of its own per test case: CTest runs them in parallel.
struct books_fixture {
  std::string url;
  pqxx::connection conn{url};
  bookkeeping books{conn, bookkeeping_names{"public", "bk_version"}};

  explicit books_fixture(const std::string& database) : url(test::fresh_database(database)) {
    books.create();
  }

  void step(const version_change& change, const std::string& revision) {
    pqxx::work tx(conn);
    tx.exec(bookkeeping_sql::step_marker());
    books.apply_and_record(tx, change, {revision, "upgrade", "", "file.sql", ""});
    tx.commit();
  }
  std::vector<std::string> rows() {
    return test::column(url, "SELECT version_num FROM bk_version ORDER BY 1");
  }
  std::vector<std::string> history() {
    return test::column(url, "SELECT revision FROM bk_version_history ORDER BY id");
  }
};

using rows = std::vector<std::string>;

}  // namespace

TEST_CASE("one statement per step inserts, moves and deletes version rows and writes history",
          "[db][bookkeeping]") {
  books_fixture f("mt_bookkeeping_rows");
  f.step({{}, "", "", {"a", "x"}}, "a");
  CHECK(f.rows() == rows{"a", "x"});
  f.step({{}, "a", "b", {}}, "b");
  CHECK(f.rows() == rows{"b", "x"});
  // A merge: one parent row goes, the other moves.
  f.step({{"x"}, "b", "m", {}}, "m");
  CHECK(f.rows() == rows{"m"});
  CHECK(f.history() == rows{"a", "b", "m"});
  // The same revision deleted and inserted again cannot share a statement
  // (its parts run in no defined order); it still works, one by one.
  CHECK_FALSE(bookkeeping_sql::step_bookkeeping(f.books.names(), {{"m"}, "", "", {"m"}},
                                                {"m", "stamp", "", "", ""}));
  f.step({{"m"}, "", "", {"m"}}, "m");
  CHECK(f.rows() == rows{"m"});
  CHECK(f.history().size() == 4);
}

TEST_CASE("an update or delete that touches no version row fails the step and keeps nothing",
          "[db][bookkeeping]") {
  books_fixture f("mt_bookkeeping_counts");
  f.step({{}, "", "", {"a"}}, "a");
  auto fails = [&](const version_change& change, const std::string& message) {
    try {
      f.step(change, "z");
      FAIL("the step should have failed: " << message);
    } catch (const database_error& e) {
      CHECK_THAT(e.what(), Catch::Contains(message) &&
                               Catch::Contains("\"public\".\"bk_version\"") &&
                               Catch::Contains("nothing of this step was kept"));
    }
  };
  fails({{}, "gone", "b", {}}, "moving 'gone' to 'b' touched 0 rows instead of 1");
  fails({{"gone"}, "a", "b", {}}, "deleting 'gone' touched 0 rows instead of 1");
  fails({{"gone"}, "", "", {"gone"}}, "deleting 'gone' touched 0 rows instead of 1");
  CHECK(f.rows() == rows{"a"});
  CHECK(f.history() == rows{"a"});
}

TEST_CASE("bookkeeping objects sharing a connection share its prepared statements",
          "[db][bookkeeping]") {
  // Prepared statements belong to the connection: a second object (another
  // version table, or the same one used again) must not redefine a name.
  books_fixture f("mt_bookkeeping_shared");
  f.step({{}, "", "", {"a"}}, "a");
  bookkeeping same{f.conn, bookkeeping_names{"public", "bk_version"}};
  bookkeeping other{f.conn, bookkeeping_names{"public", "bk_other"}};
  other.create();
  auto move = [&](bookkeeping& books, const version_change& change, const std::string& revision) {
    pqxx::work tx(f.conn);
    tx.exec(bookkeeping_sql::step_marker());
    books.apply_and_record(tx, change, {revision, "upgrade", "", "file.sql", ""});
    tx.commit();
  };
  move(same, {{}, "a", "b", {}}, "b");
  move(other, {{}, "", "", {"x"}}, "x");
  move(other, {{}, "x", "y", {}}, "y");
  move(f.books, {{}, "b", "c", {}}, "c");
  CHECK(f.rows() == rows{"c"});
  CHECK(test::column(f.url, "SELECT version_num FROM bk_other") == rows{"y"});
}
