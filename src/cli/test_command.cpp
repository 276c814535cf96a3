// `test [KIND...]`: the migration tests of src/engine/migration_tests.hpp,
// plus single_head, schema_matches and dump_current, each on a scratch
// database of its own; a summary, or --format json. add_migration_tests()
// registers one CTest test per kind.
#include <fmt/format.h>

#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "../engine/migration_tests.hpp"
#include "commands.hpp"
#include "migration_tools/core/file_io.hpp"
#include "migration_tools/core/text.hpp"

namespace migration_tools::cli {

namespace {

const std::vector<std::string> all_kinds = {"single_head", "upgrade",        "stairway",
                                            "data",        "schema_matches", "dump_current"};

const char* outcome_word(test_outcome o) {
  return o == test_outcome::passed ? "passed" : o == test_outcome::failed ? "FAILED" : "skipped";
}

std::string committed_dump_path(const runner_context& ctx) {
  std::string dir = ctx.config().migrations_dir;
  return dir.substr(0, dir.find_last_of('/')) + "/generated/schema.sql";
}

bool file_exists(const std::string& path) {
  std::error_code ec;
  return std::filesystem::is_regular_file(path, ec);
}

bool has_declared_schema(const runner_context& ctx) {
  return *ctx.config().schema_dir && ctx.catalog().schema_count > 0;
}

// The kinds to run: those asked for, else every one that applies.
std::vector<std::string> chosen_kinds(const runner_context& ctx, const test_options& o) {
  std::vector<std::string> kinds;
  for (const auto& k : o.kinds) {
    if (std::find(all_kinds.begin(), all_kinds.end(), k) == all_kinds.end()) {
      std::string list;
      for (const auto& a : all_kinds) list += (list.empty() ? "" : ", ") + a;
      throw usage_error("unknown test '" + k + "': expected " + list);
    }
    if (std::find(kinds.begin(), kinds.end(), k) == kinds.end()) kinds.push_back(k);
  }
  bool asked = !kinds.empty();
  if (!asked) {
    kinds = {"single_head", "upgrade", "stairway"};
    if (!o.data_dir.empty()) kinds.push_back("data");
    if (has_declared_schema(ctx)) kinds.push_back("schema_matches");
    if (file_exists(committed_dump_path(ctx))) kinds.push_back("dump_current");
  }
  for (const auto& k : kinds) {
    if (k == "data" && o.data_dir.empty())
      throw usage_error("the data test needs --data DIR: a folder of <revision>.seed.sql and " +
                        std::string("<revision>.check.sql files"));
    if (k == "schema_matches" && !has_declared_schema(ctx))
      throw usage_error("schema_matches compares the head state with the declared schema, and " +
                        std::string(ctx.config().name) + " has none (add_migrations' " +
                        "SCHEMA_DIRECTORY, schema/ beside the migrations)");
    if (k == "dump_current" && !file_exists(committed_dump_path(ctx)))
      throw usage_error("dump_current compares " + committed_dump_path(ctx) +
                        " with the head state, and there is no such file: write it with " +
                        build_command(ctx.config(), std::string(ctx.config().name) + "_dump"));
  }
  return kinds;
}

test_result single_head_test(const runner_context& ctx) {
  test_result r;
  r.name = "single_head";
  r.problems = graph_problems(ctx);
  r.total = r.covered = static_cast<int>(ctx.graph().size());
  if (!r.problems.empty()) r.outcome = test_outcome::failed;
  return r;
}

void print_result(const runner_context& ctx, const test_result& r) {
  std::string figures;
  if (r.name == "stairway")
    figures = std::to_string(r.covered) + " of " + std::to_string(r.total) +
              " revisions round-tripped, " + std::to_string(r.steps) + " steps" +
              (r.whole_catalog_comparisons ? ", " + std::to_string(r.whole_catalog_comparisons) +
                                                 " compared as whole catalogs"
                                           : "");
  else if (r.name == "upgrade" || r.name == "data")
    figures = std::to_string(r.covered) + " of " + std::to_string(r.total) + " revisions, " +
              std::to_string(r.steps) + " steps";
  else if (r.name == "single_head")
    figures = "head " + describe_revisions(ctx.graph(), ctx.graph().real_heads());
  if (r.duration.count() > 0)
    figures +=
        (figures.empty() ? "" : ", ") +
        fmt::format(FMT_STRING("{:.2f} s"), std::chrono::duration<double>(r.duration).count());
  const char* color = r.outcome == test_outcome::passed   ? "32"
                      : r.outcome == test_outcome::failed ? "1;31"
                                                          : "33";
  std::cout << ctx.config().name << " test " << r.name << ": "
            << ctx.style(outcome_word(r.outcome), color)
            << (figures.empty() ? "" : " (" + figures + ")") << "\n";
  for (const auto& p : r.problems) std::cout << p << "\n";
}

nlohmann::json to_json(const test_result& r) {
  return {{"name", r.name},
          {"outcome", r.outcome == test_outcome::failed ? "failed" : outcome_word(r.outcome)},
          {"covered", r.covered},
          {"total", r.total},
          {"steps", r.steps},
          {"whole_catalog_comparisons", r.whole_catalog_comparisons},
          {"problems", r.problems},
          {"duration_ms", r.duration.count()}};
}

}  // namespace

int test_command(runner_context& ctx, const test_options& o) {
  auto kinds = chosen_kinds(ctx, o);
  engine::data_files data;
  if (!o.data_dir.empty()) data = engine::read_data_directory(ctx.graph(), o.data_dir);
  engine::test_range range{o.from, o.to};
  const bool json = ctx.options().format == "json";
  if (!o.reproduce.empty()) ctx.info("to run it by hand: " + o.reproduce);

  std::vector<test_result> results;
  std::string server;
  auto scratch = [&]() -> std::string {
    if (server.empty()) server = scratch_server(ctx);
    return server;
  };
  std::optional<schema_findings> findings;
  for (const auto& kind : kinds) {
    test_result r;
    if (kind == "single_head") {
      r = single_head_test(ctx);
    } else if (kind == "schema_matches" || kind == "dump_current") {
      auto started = std::chrono::steady_clock::now();
      if (!findings) findings = schema_findings_of(ctx, scratch());
      r.name = kind;
      if (kind == "schema_matches" && !findings->undeclared.empty()) {
        r.problems.push_back("the declared schema has changes that no migration makes:");
        for (const auto& line : findings->undeclared)
          r.problems.push_back("  " + escape_control_characters(line));
        r.problems.push_back("  write them with: " + std::string(ctx.config().name) +
                             " new --autogenerate -m \"...\"");
      }
      if (kind == "dump_current" && !findings->stale_dump.empty())
        r.problems.push_back(findings->stale_dump);
      if (!r.problems.empty()) r.outcome = test_outcome::failed;
      r.duration = std::chrono::duration_cast<std::chrono::milliseconds>(
          std::chrono::steady_clock::now() - started);
    } else {
      // Each on an empty database of its own, dropped afterwards.
      if (kind == "upgrade") r = engine::test_upgrade(ctx, scratch(), range);
      if (kind == "stairway") r = engine::test_stairway(ctx, scratch(), range);
      if (kind == "data") r = engine::test_data(ctx, scratch(), data, range);
    }
    if (!json) print_result(ctx, r);
    results.push_back(std::move(r));
  }

  int passed = 0, failed = 0, skipped = 0;
  for (const auto& r : results)
    (r.outcome == test_outcome::passed   ? passed
     : r.outcome == test_outcome::failed ? failed
                                         : skipped)++;
  if (json) {
    nlohmann::json out;
    out["tests"] = nlohmann::json::array();
    for (const auto& r : results) out["tests"].push_back(to_json(r));
    out["passed"] = passed;
    out["failed"] = failed;
    out["skipped"] = skipped;
    std::cout << out.dump(2) << "\n";
  } else if (results.size() > 1) {
    std::cout << passed << " passed, " << failed << " failed, " << skipped << " skipped\n";
  }
  if (failed) return check_failed;
  return skipped ? test_skipped : ok;
}

}  // namespace migration_tools::cli
