// Diagnostics look like a compiler's, so that IDEs and CI logs link them.
#include "migration_tools/core/diagnostic.hpp"

#include <catch2/catch.hpp>
#include <vector>

using namespace migration_tools;

TEST_CASE("A diagnostic is formatted as path:LINE: severity: message", "[unit][diagnostic]") {
  CHECK(format_diagnostic({"migrations/a.sql", 12, severity::error, "bad"}) ==
        "migrations/a.sql:12: error: bad");
  CHECK(format_diagnostic({"a.sql", 3, severity::warning, "hm"}) == "a.sql:3: warning: hm");
  CHECK(format_diagnostic({"a.sql", 1, severity::note, "see"}) == "a.sql:1: note: see");
}

TEST_CASE("A diagnostic without a line leaves the line out", "[unit][diagnostic]") {
  CHECK(format_diagnostic({"a.sql", 0, severity::error, "whole file"}) ==
        "a.sql: error: whole file");
}

TEST_CASE("Several diagnostics are formatted one per line", "[unit][diagnostic]") {
  std::vector<diagnostic> ds{{"a.sql", 1, severity::error, "one"},
                             {"b.sql", 2, severity::warning, "two"}};
  CHECK(format_diagnostics(ds) == "a.sql:1: error: one\nb.sql:2: warning: two");
  CHECK(format_diagnostics({}).empty());
}

TEST_CASE("has_errors ignores warnings and notes", "[unit][diagnostic]") {
  CHECK_FALSE(has_errors({}));
  CHECK_FALSE(has_errors({{"a", 1, severity::warning, "w"}, {"a", 1, severity::note, "n"}}));
  CHECK(has_errors({{"a", 1, severity::warning, "w"}, {"a", 2, severity::error, "e"}}));
}

TEST_CASE("A migration_file_error carries its diagnostics and formats them", "[unit][diagnostic]") {
  migration_file_error e({{"a.sql", 4, severity::error, "broken"}});
  CHECK(std::string(e.what()) == "a.sql:4: error: broken");
  REQUIRE(e.diagnostics().size() == 1);
  CHECK(e.diagnostics()[0].line == 4);
}
