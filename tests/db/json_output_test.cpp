// `--format json` of the listing commands (current, history, heads, branches,
// show) on scenario 4's graph (a -> b, b -> c1 -> d1 labelled c1branch,
// b -> c2 -> d2 labelled c2branch): every document has the shape the README
// documents, and every revision is the same object.
#include <algorithm>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "alembic_runners.hpp"

using namespace migration_tools::test;
using json = nlohmann::json;

namespace {

json document(scenario_database& db, std::vector<std::string> args) {
  args.insert(args.begin(), {"--format", "json"});
  auto r = db.ok(args);
  INFO(r.out);
  return json::parse(r.out);  // throws (and fails the test) on anything but one document
}

const std::vector<std::string> revision_keys = {"branch_labels",
                                                "created",
                                                "depends_on",
                                                "down_revisions",
                                                "is_branch_point",
                                                "is_effective_head",
                                                "is_head",
                                                "is_merge_point",
                                                "kind",
                                                "message",
                                                "path",
                                                "revision"};

// A revision object: exactly the documented keys (plus `extra`), in order.
void check_revision(const json& r, std::vector<std::string> extra = {}) {
  INFO(r.dump());
  std::vector<std::string> expected = revision_keys;
  expected.insert(expected.end(), extra.begin(), extra.end());
  std::sort(expected.begin(), expected.end());
  std::vector<std::string> keys;
  for (const auto& item : r.items()) keys.push_back(item.key());
  CHECK(keys == expected);
  CHECK(r.at("kind") == "sql");
  CHECK(r.at("path").get<std::string>().find("tests/db/fixtures/alembic_two_branches/") == 0);
}

std::vector<std::string> revisions(const json& list) {
  std::vector<std::string> out;
  for (const auto& r : list) out.push_back(r.at("revision").get<std::string>());
  return out;
}

}  // namespace

TEST_CASE("json output: each listing command prints its documented document", "[db][json]") {
  scenario_database db(ALEMBIC_BRANCHES_RUNNER, "json_output");

  SECTION("current at base is an empty list") {
    auto d = document(db, {"current"});
    CHECK(d == json{{"current", json::array()}});
  }

  db.ok({"upgrade", "d1"});
  db.ok({"upgrade", "c2"});

  SECTION("current lists the version rows") {
    auto d = document(db, {"current"});
    REQUIRE(d.size() == 1);
    CHECK(revisions(d.at("current")) == strings{"c2", "d1"});
    for (const auto& r : d.at("current")) check_revision(r);
    CHECK(d.at("current")[1].at("is_head") == true);
    CHECK(d.at("current")[0].at("branch_labels") == json{"c2branch"});
  }
  SECTION("heads lists both heads") {
    auto d = document(db, {"heads"});
    REQUIRE(d.size() == 1);
    CHECK(revisions(d.at("heads")) == strings{"d1", "d2"});
    for (const auto& r : d.at("heads")) {
      check_revision(r);
      CHECK(r.at("is_head") == true);
    }
  }
  SECTION("history -r is newest first; --indicate-current adds is_current") {
    auto d = document(db, {"history", "-r", "b:d1"});
    REQUIRE(d.size() == 1);
    CHECK(revisions(d.at("revisions")) == strings{"d1", "c1", "b"});
    for (const auto& r : d.at("revisions")) check_revision(r);

    auto marked = document(db, {"history", "-r", "b:d1", "--indicate-current"});
    for (const auto& r : marked.at("revisions")) {
      check_revision(r, {"is_current"});
      CHECK(r.at("is_current") == (r.at("revision") == "d1"));
    }
  }
  SECTION("branches lists the branch point with its children") {
    auto d = document(db, {"branches"});
    REQUIRE(d.size() == 1);
    REQUIRE(d.at("branches").size() == 1);
    const auto& b = d.at("branches")[0];
    check_revision(b, {"children"});
    CHECK(b.at("revision") == "b");
    CHECK(b.at("is_branch_point") == true);
    CHECK(revisions(b.at("children")) == strings{"c1", "c2"});
    for (const auto& c : b.at("children")) check_revision(c);
  }
  SECTION("show prints the revision itself") {
    auto d = document(db, {"show", "c1branch@head"});
    check_revision(d);
    CHECK(d.at("revision") == "d1");
    CHECK(d.at("down_revisions") == json{"c1"});
    CHECK(d.at("message") == "scenario 4: first branch, head");
    CHECK(d.at("created") == nullptr);
  }
}
