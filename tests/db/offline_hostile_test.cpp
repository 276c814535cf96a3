// Issue 10, item 1: an offline script fed to `psql -v ON_ERROR_STOP=1` runs
// the migrations' SQL and nothing else, whatever their messages, comments and
// strings hold; and the script writer refuses a body that psql would read
// differently from the server (the scanner refuses it at configure time
// already; the writer checks again for runners built by other means).
//
// The migrations are parsed in memory, past the configure-time check, so
// that the writer's own defences are what is tested.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>

#include "migration_tools/core/checksum.hpp"
#include "migration_tools/core/planner.hpp"
#include "offline_script.hpp"
#include "psql.hpp"
#include "test_database.hpp"

using namespace migration_tools;

namespace {

const bookkeeping_names names{"public", "hostile_version"};

std::string marker_path() {
  return (std::filesystem::temp_directory_path() /
          ("mt-hostile-marker-" + std::to_string(::getpid())))
      .string();
}

revision_graph graph_of(const std::vector<std::pair<std::string, std::string>>& files) {
  std::vector<migration> ms;
  for (const auto& [path, text] : files) {
    std::vector<diagnostic> ds;
    ms.push_back(parse_migration(path, text, ds));
    if (has_errors(ds)) throw std::logic_error(format_diagnostics(ds));
  }
  return revision_graph::build_or_throw(std::move(ms));
}

std::string script_of(const revision_graph& graph) {
  applied_state base = state_from_version_rows(graph, {});
  plan p = plan_upgrade(graph, base, "head");
  return engine::write_offline_script({graph,
                                       names,
                                       "hostile",
                                       "hostile upgrade --sql",
                                       base,
                                       p,
                                       [](node_id) { return std::string(64, 'a'); },
                                       {}});
}

}  // namespace

TEST_CASE("An offline script runs nothing but the migrations' SQL, whatever their text holds",
          "[db][offline]") {
  std::string marker = marker_path();
  std::filesystem::remove(marker);
  std::string touch = "\\! touch " + marker;
  auto graph = graph_of({
      {"001_a.sql",
       // A carriage return and a '*/' in the message: both inside the
       // script's own comments, which must not end there.
       "-- migrate:revision hostile_a\n-- migrate:down_revision none\n"
       "-- migrate:message closes */ a comment\r" +
           touch +
           "\n\n-- migrate:upgrade\n"
           "CREATE TABLE hostile_notes (note text);\n"
           "-- a comment: " +
           touch + "\n/* a block comment:\n" + touch +
           "\n*/\n"
           "INSERT INTO hostile_notes VALUES ('" +
           touch + "'), ($$" + touch + "$$), (E'a\\\\" + touch.substr(1) + "');\n"},
      {"002_b.sql",
       "-- migrate:revision hostile_b\n-- migrate:down_revision hostile_a\n"
       "-- migrate:message /* opens a comment, \x1b[2J clears a screen\n\n-- migrate:upgrade\n"
       "INSERT INTO hostile_notes VALUES ('b');\n"},
  });
  std::string script = script_of(graph);
  CHECK(script.find("closes */ a comment\\x0D\\! touch") != std::string::npos);
  CHECK(script.find("\\x1B[2J clears") != std::string::npos);

  std::string url = test::fresh_database("offline_hostile");
  auto r = test::apply_script(url, script, "hostile");
  INFO(r.out + r.err);
  REQUIRE(r.exit_code == 0);
  CHECK_FALSE(std::filesystem::exists(marker));
  CHECK(test::column(url, "SELECT count(*) FROM hostile_notes").at(0) == "4");
  CHECK(test::column(url, "SELECT count(*) FROM hostile_notes WHERE note = " +
                              bookkeeping_sql::quote_literal(touch))
            .at(0) == "2");
  CHECK(test::column(url, "SELECT version_num FROM hostile_version").at(0) == "hostile_b");
  std::filesystem::remove(marker);
}

TEST_CASE("The script writer refuses a body psql would read differently, naming file and line",
          "[db][offline]") {
  const std::string header = "-- migrate:down_revision none\n\n-- migrate:upgrade\nSELECT 1;\n";
  struct hostile {
    const char* what;
    std::string body;
    int line;
  };
  for (const auto& h : std::vector<hostile>{
           {"a lone carriage return ends a comment in psql", "-- note\r\\! id\n", 6},
           {"a backslash line is a meta-command", "SELECT 2;\n\\i /etc/hostname\n", 7},
           {"an unterminated comment swallows the script's next lines", "/* open\nSELECT 2;\n", 6},
           {"an unterminated string", "SELECT 'open;\n", 6},
       }) {
    INFO(h.what);
    auto graph = graph_of({{"001_h.sql", "-- migrate:revision h\n" + header + h.body}});
    try {
      script_of(graph);
      FAIL("the script was written");
    } catch (const migration_file_error& e) {
      REQUIRE(!e.diagnostics().empty());
      CHECK(e.diagnostics()[0].file == "001_h.sql");
      CHECK(e.diagnostics()[0].line == h.line);
    }
  }
}
