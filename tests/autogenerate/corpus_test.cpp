// The peer projects' public cases (tests/autogenerate/corpora/): each pair
// of schemas diffed both ways on the test cluster and written as
// `new --autogenerate` writes it (new enum values first, the change, then
// what runs outside a transaction); the upgrades applied to the old schema
// must converge on the new one and the downgrades then applied must bring
// the old one back. known_misses.txt lists what does not yet;
// the test fails on any other miss, and on a listed one that now passes.
#include <algorithm>
#include <array>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <pqxx/pqxx>
#include <set>
#include <sstream>

#include "../db/test_database.hpp"
#include "migration_tools/core/sql_splitter.hpp"
#include "migration_tools/postgres/catalog_inspector.hpp"
#include "migration_tools/schema/diff.hpp"
#include "migration_tools/schema/online.hpp"

using namespace migration_tools;
using namespace migration_tools::test;
namespace fs = std::filesystem;

namespace {

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string first_line(const std::string& text) {
  return text.substr(0, text.find('\n'));
}

void create_roles(const std::string& url, const fs::path& roles_file) {
  if (!fs::exists(roles_file)) return;
  std::istringstream in(slurp(roles_file));
  std::string role;
  pqxx::connection c(url);
  while (std::getline(in, role)) {
    if (role.empty()) continue;
    try {
      pqxx::nontransaction(c).exec0("CREATE ROLE " + role);
    } catch (const pqxx::sql_error&) {
      // It exists: roles belong to the cluster, and cases share them.
    }
  }
}

void load(const std::string& url, const std::string& sql) {
  pqxx::connection c(url);
  pqxx::nontransaction(c).exec0(sql);
}

schema::schema_model inspect(const std::string& url) {
  pqxx::connection c(url);
  return inspect_catalog(c);
}

// What is left to diff, as SQL, or "" when nothing is.
std::string left_over(const std::string& url, const schema::schema_model& goal) {
  auto rest = schema::diff_schemas(inspect(url), goal);
  return rest.empty() ? "" : schema::render_sql(rest);
}

// As the runner runs a `transactional false` migration: statement by statement.
void one_by_one(const std::string& url, const std::string& sql) {
  pqxx::connection c(url);
  for (const auto& s : split_sql(sql)) pqxx::nontransaction(c).exec0(std::string(s.text));
}

void apply_sql(const std::string& url, const std::string& sql) {
  pqxx::connection c(url);
  pqxx::work tx(c);
  tx.exec0(sql);
  tx.commit();
}

struct outcome {
  bool converges = false;
  bool reverses = false;
  std::string why;  // of the first miss
};

outcome run_case(const fs::path& dir, const std::string& tag) {
  outcome out;
  std::string work = fresh_database("corpus_" + tag + "_work");
  std::string target = fresh_database("corpus_" + tag + "_target");
  create_roles(work, dir / "roles");
  try {
    load(work, slurp(dir / "a.sql"));
    load(target, slurp(dir / "b.sql"));
  } catch (const std::exception& e) {
    out.why = "the case does not load: " + first_line(e.what());
    return out;
  }
  auto before = inspect(work);
  auto after = inspect(target);
  // As `new --autogenerate`: a change no migration can make as it stands
  // (a partition key) writes nothing; the case is a miss by design.
  for (const auto& d : {schema::diff_schemas(before, after), schema::diff_schemas(after, before)})
    if (!d.refusals.empty()) {
      out.why = "refused by design (nothing written): " + d.refusals[0];
      return out;
    }
  // The migrations `new --autogenerate` writes: new enum values first, the
  // change in a transaction, then what runs outside one (CONCURRENTLY,
  // VALIDATE CONSTRAINT), each a step with its downgrade.
  struct migration_step {
    std::string up, down;
    bool transactional;
  };
  std::vector<migration_step> steps;
  schema::schema_model base = before;
  if (auto added = schema::split_enum_additions(before, after)) {
    steps.push_back({schema::render_sql(schema::diff_schemas(before, *added)),
                     schema::render_sql(schema::diff_schemas(*added, before)), true});
    base = *added;
  }
  auto split = schema::split_for_online(base, after);
  const auto& middle = split.second_needed ? split.intermediate : after;
  steps.push_back({schema::render_sql(schema::diff_schemas(base, middle)),
                   schema::render_sql(schema::diff_schemas(middle, base)), true});
  if (split.second_needed)
    steps.push_back({schema::render_sql(schema::online_upgrade(split.intermediate, after)),
                     schema::render_sql(schema::online_downgrade(after, split.intermediate)),
                     false});
  auto run = [&](const std::string& sql, bool transactional) {
    if (transactional)
      apply_sql(work, sql);
    else
      one_by_one(work, sql);
  };
  try {
    for (const auto& step : steps) run(step.up, step.transactional);
    std::string rest = left_over(work, after);
    out.converges = rest.empty();
    if (!out.converges) out.why = "left after the upgrade: " + first_line(rest);
  } catch (const std::exception& e) {
    out.why = "the upgrade fails: " + first_line(e.what());
    return out;
  }
  try {
    for (auto it = steps.rbegin(); it != steps.rend(); ++it) run(it->down, it->transactional);
    std::string rest = left_over(work, before);
    out.reverses = rest.empty();
    if (!out.reverses && out.why.empty()) out.why = "left after the downgrade: " + first_line(rest);
  } catch (const std::exception& e) {
    if (out.why.empty()) out.why = "the downgrade fails: " + first_line(e.what());
  }
  return out;
}

// known_misses.txt: "<corpus>/<case> converge|reverse", '#' comments.
std::set<std::string> known_misses() {
  std::set<std::string> out;
  std::istringstream in(slurp(fs::path(CORPORA_DIR) / "known_misses.txt"));
  std::string line;
  while (std::getline(in, line)) {
    line = line.substr(0, line.find('#'));
    while (!line.empty() && (line.back() == ' ' || line.back() == '\t')) line.pop_back();
    if (!line.empty()) out.insert(line);
  }
  return out;
}

std::string kind_of(const std::string& corpus, const std::string& name) {
  auto cut = name.find("__");
  return cut == std::string::npos ? corpus : name.substr(0, cut);
}

// Runs the cases of `corpus` whose folder name passes `select`, checks them
// against the known misses, and appends a per-kind count to the summary
// (build tree: corpus_summary.md, every miss in corpus_summary.md.misses).
void run_corpus(const std::string& corpus, const std::string& tag,
                const std::function<bool(const std::string&)>& select) {
  auto known = known_misses();
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(fs::path(CORPORA_DIR) / corpus))
    if (e.is_directory() && select(e.path().filename().string()))
      names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  REQUIRE_FALSE(names.empty());
  std::vector<std::string> regressions, fixed;
  std::map<std::string, std::array<int, 3>> per_kind;  // cases, converge, reverse
  // Every miss with its reason, known or not: known_misses.txt is made from it.
  std::ofstream misses(std::string(CORPUS_SUMMARY) + ".misses", std::ios::app);
  for (const auto& name : names) {
    auto o = run_case(fs::path(CORPORA_DIR) / corpus / name, tag);
    auto& counts = per_kind[kind_of(corpus, name)];
    ++counts[0];
    counts[1] += o.converges;
    counts[2] += o.reverses;
    for (const auto& [way, ok] : {std::pair<std::string, bool>{"converge", o.converges},
                                  std::pair<std::string, bool>{"reverse", o.reverses}}) {
      std::string key = corpus + "/" + name + " " + way;
      bool listed = known.count(key) > 0;
      if (!ok) misses << key << "  # " << o.why << "\n";
      if (!ok && !listed) regressions.push_back(key + "  # " + o.why);
      if (ok && listed) fixed.push_back(key);
    }
  }
  std::ofstream summary(CORPUS_SUMMARY, std::ios::app);
  for (const auto& [kind, c] : per_kind)
    summary << "| " << corpus << " | " << kind << " | " << c[0] << " | " << c[1] << " | " << c[2]
            << " |\n";
  std::string report;
  for (const auto& r : regressions) report += "\n  missed, not in known_misses.txt: " + r;
  for (const auto& f : fixed) report += "\n  passes now, remove from known_misses.txt: " + f;
  INFO(report);
  CHECK(regressions.empty());
  CHECK(fixed.empty());
}

bool in_kinds(const std::string& name, std::initializer_list<const char*> kinds) {
  for (const char* k : kinds)
    if (name.rfind(std::string(k) + "__", 0) == 0) return true;
  return false;
}

const std::initializer_list<const char*> first_half = {"check_constraint",
                                                       "column",
                                                       "enum",
                                                       "extensions",
                                                       "foreign_key_constraint",
                                                       "function",
                                                       "index",
                                                       "local_partition_index",
                                                       "materialized_view",
                                                       "materialized_view_index"};

}  // namespace

TEST_CASE("corpora: migra's pairs converge and reverse, but for the known misses",
          "[autogenerate][db][corpora]") {
  run_corpus("migra", "migra", [](const std::string&) { return true; });
}

TEST_CASE(
    "corpora: pg-schema-diff's cases from check constraints to materialized views converge "
    "and reverse, but for the known misses",
    "[autogenerate][db][corpora]") {
  run_corpus("pg-schema-diff", "psd1",
             [](const std::string& n) { return in_kinds(n, first_half); });
}

TEST_CASE(
    "corpora: pg-schema-diff's cases from named schemas to views converge and reverse, but "
    "for the known misses",
    "[autogenerate][db][corpora]") {
  run_corpus("pg-schema-diff", "psd2",
             [](const std::string& n) { return !in_kinds(n, first_half); });
}
