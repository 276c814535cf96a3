// The runners of the Alembic scenario tests are built from migration files
// (tests/db/fixtures/alembic_*), the unit tests use the in-memory graphs of
// tests/unit/alembic_scenarios.hpp. Both must be the same graphs, or the
// database tests would check another scenario than the one they name.
#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "alembic_scenarios.hpp"
#include "graph_helpers.hpp"

using namespace migration_tools;
using test_helpers::strings;

namespace {

std::string join(const strings& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : " ") + s;
  return out;
}

// The graph the runner embeds: every migration file of the fixture, parsed.
revision_graph fixture_graph(const std::string& name) {
  std::vector<migration> migrations;
  for (const auto& entry :
       std::filesystem::directory_iterator(std::string(ALEMBIC_FIXTURES_DIR) + "/" + name)) {
    std::ifstream in(entry.path(), std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    std::vector<diagnostic> ds;
    migrations.push_back(parse_migration(entry.path().string(), text.str(), ds));
    INFO(format_diagnostics(ds));
    REQUIRE(ds.empty());
  }
  return revision_graph::build_or_throw(std::move(migrations));
}

// One line per revision: its parents, its own labels and its dependencies.
strings edges(const revision_graph& g) {
  strings out;
  for (node_id id = 0; id < static_cast<node_id>(g.size()); ++id) {
    const auto& m = g.at(id);
    std::string line =
        m.revision + " <- (" + join(test_helpers::sorted_names(g, g.parents(id))) + ")";
    line += " labels (" + join(m.branch_labels) + ")";
    line += " depends_on (" + join(test_helpers::sorted_names(g, g.dependencies(id))) + ")";
    out.push_back(line);
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

TEST_CASE("the Alembic scenario fixtures are the graphs of the shared scenario definitions",
          "[alembic]") {
  CHECK(edges(fixture_graph("alembic_two_branches")) == edges(test_helpers::two_branches()));
  CHECK(edges(fixture_graph("alembic_twin_merge")) == edges(test_helpers::twin_merge()));
  CHECK(edges(fixture_graph("alembic_effective_head")) == edges(test_helpers::effective_head()));
}
