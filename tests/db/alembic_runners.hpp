// The runners of ALEMBIC_SEMANTICS.md's scenario graphs (tests/db/fixtures/
// alembic_*), driven as processes against a fresh database, and what a test
// reads back after each command: the version rows, the tables t_<rev> that the
// migrations create, and the history rows. Every runner keeps its bookkeeping
// in `alembic_version`, as Alembic does.
#pragma once

#include <catch2/catch.hpp>
#include <ostream>
#include <string>
#include <vector>

#include "graph_helpers.hpp"
#include "runners.hpp"
#include "test_database.hpp"

namespace migration_tools::test {

using strings = std::vector<std::string>;

// One history row as the test compares it: the timestamps and user vary.
struct history_row {
  std::string revision, direction, checksum, file;
  bool operator==(const history_row& o) const {
    return revision == o.revision && direction == o.direction && checksum == o.checksum &&
           file == o.file;
  }
};

inline std::ostream& operator<<(std::ostream& out, const history_row& r) {
  return out << r.revision << ":" << r.direction << ":" << r.checksum << ":" << r.file;
}

// A fresh database and one scenario runner. After each command the test says
// what it expects; `changes` returns the history rows written since the last call.
class scenario_database {
 public:
  scenario_database(const char* runner, const std::string& database)
      : runner_(runner), url_(fresh_database(database)) {}

  const std::string& url() const { return url_; }

  process_result run(std::vector<std::string> args) { return run_runner(runner_, url_, args); }
  // A command that must succeed.
  process_result ok(std::vector<std::string> args) {
    auto r = run(args);
    INFO("runner " << join(args) << ":\n" << r.out << r.err);
    REQUIRE(r.exit_code == 0);
    return r;
  }

  // The version rows, sorted. None before the bookkeeping tables exist.
  strings versions() {
    if (!table_exists(url_, "public.alembic_version")) return {};
    return column(url_, "SELECT version_num FROM alembic_version ORDER BY 1");
  }
  // The revisions whose table t_<rev> exists, sorted.
  strings tables() {
    strings out;
    for (const auto& t : column(url_,
                                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
                                " AND tablename LIKE 't\\_%' ORDER BY tablename"))
      out.push_back(t.substr(2));
    return out;
  }
  // Every history row, in the order written.
  std::vector<history_row> history() {
    std::vector<history_row> out;
    if (!table_exists(url_, "public.alembic_version_history")) return out;
    pqxx::connection c(url_);
    pqxx::nontransaction tx(c);
    for (const auto& row :
         tx.exec("SELECT revision, direction, coalesce(checksum, 'NULL'), coalesce(file, 'NULL')"
                 " FROM alembic_version_history ORDER BY id"))
      out.push_back({row[0].c_str(), row[1].c_str(), row[2].c_str(), row[3].c_str()});
    return out;
  }
  // The history rows written since the last call.
  std::vector<history_row> changes() {
    auto all = history();
    REQUIRE(all.size() >= seen_);
    std::vector<history_row> out(all.begin() + static_cast<long>(seen_), all.end());
    seen_ = all.size();
    return out;
  }
  // (revision, direction) of the history rows written since the last call.
  strings steps() {
    strings out;
    for (const auto& row : changes()) {
      // Each migration's row names its file and carries its checksum (of
      // meaning: these are SQL migrations).
      CHECK(row.checksum.size() == 67);
      CHECK(row.checksum.rfind("m1:", 0) == 0);
      CHECK(row.file.find("tests/db/fixtures/alembic_") != std::string::npos);
      out.push_back(row.revision + ":" + row.direction);
    }
    return out;
  }

  static std::string join(const strings& items, const char* separator = " ") {
    std::string out;
    for (const auto& s : items) out += (out.empty() ? "" : separator) + s;
    return out;
  }

 private:
  const char* runner_;
  std::string url_;
  size_t seen_ = 0;
};

// "b:upgrade", "c1:upgrade", ... for the revisions of one command, in order.
inline strings upgraded(const strings& revisions) {
  strings out;
  for (const auto& r : revisions) out.push_back(r + ":upgrade");
  return out;
}
inline strings downgraded(const strings& revisions) {
  strings out;
  for (const auto& r : revisions) out.push_back(r + ":downgrade");
  return out;
}

// After a command: the history rows it wrote are `steps`, in order; the
// version rows are `rows`; and the tables t_* are exactly those of `rows` and
// everything below them in the scenario's graph `g` (the shared definition of
// tests/unit/alembic_scenarios.hpp): what ran is what the rows say is applied.
inline void expect_state(scenario_database& db, const revision_graph& g, const strings& steps,
                         const strings& rows) {
  CHECK(db.steps() == steps);
  CHECK(db.versions() == rows);
  CHECK(db.tables() == test_helpers::mask_names(g, g.closure_down(test_helpers::ids_of(g, rows))));
}

}  // namespace migration_tools::test
