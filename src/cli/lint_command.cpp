// `lint [FILE...]`: the lint of src/core/lint over the runner's SQL
// migrations, as compiler-style lines (text), JSON, GitHub workflow
// annotations or SARIF 2.1.0 (code-scanning dashboards).
#include <algorithm>
#include <iostream>
#include <nlohmann/json.hpp>
#include <set>

#include "commands.hpp"
#include "migration_tools/core/lint.hpp"
#include "migration_tools/core/text.hpp"

namespace migration_tools::cli {

namespace {

const char* level_word(const lint_finding& f) {
  return f.rule->level == severity::error ? "error" : "warning";
}

// Whether a migration is one of the files named (by its path as the runner
// shows it, or by a path ending in it); all of them when none is named.
bool named(const std::string& path, const std::vector<std::string>& files) {
  if (files.empty()) return true;
  for (const auto& f : files)
    if (f == path || ends_with(f, "/" + path) || ends_with(path, "/" + f)) return true;
  return false;
}

// GitHub's workflow commands: `%`, CR and LF escaped in the message, and
// also `:` and `,` in properties.
std::string github_escape(std::string text, bool property) {
  std::string out;
  for (char ch : text) {
    if (ch == '%')
      out += "%25";
    else if (ch == '\r')
      out += "%0D";
    else if (ch == '\n')
      out += "%0A";
    else if (property && ch == ':')
      out += "%3A";
    else if (property && ch == ',')
      out += "%2C";
    else
      out += ch;
  }
  return out;
}

nlohmann::json sarif(const std::vector<lint_finding>& findings) {
  nlohmann::json rules = nlohmann::json::array();
  for (const auto& r : lint_rules())
    rules.push_back(
        {{"id", r.id},
         {"shortDescription", {{"text", r.reason}}},
         {"help", {{"text", std::string("Instead: ") + r.instead}}},
         {"defaultConfiguration", {{"level", r.level == severity::error ? "error" : "warning"}}}});
  nlohmann::json results = nlohmann::json::array();
  for (const auto& f : findings)
    results.push_back({{"ruleId", f.rule->id},
                       {"level", level_word(f)},
                       {"message", {{"text", f.message}}},
                       {"locations",
                        {{{"physicalLocation",
                           {{"artifactLocation", {{"uri", f.file}}},
                            {"region", {{"startLine", f.line}, {"startColumn", f.column}}}}}}}}});
  return {{"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
          {"version", "2.1.0"},
          {"runs",
           {{{"tool",
              {{"driver",
                {{"name", "MigrationTools lint"}, {"version", version()}, {"rules", rules}}}}},
             {"results", results}}}}};
}

}  // namespace

int lint_command(runner_context& ctx, const lint_options& o) {
  const std::string& format = ctx.options().format;
  if (o.list_rules) {
    for (const auto& r : lint_rules())
      std::cout << r.id << " (" << (r.level == severity::error ? "error" : "warning")
                << "): " << r.reason << "; instead: " << r.instead << "\n";
    return ok;
  }
  const auto& graph = ctx.graph();
  // With --database: what it has applied; the tables of the rest are empty.
  std::vector<char> applied(graph.size(), 1);
  if (o.database) applied = ctx.current_state().applied;
  std::set<std::string> empty_tables;
  std::vector<lint_finding> findings;
  std::vector<std::string> unmatched = o.files;
  int files = 0;
  for (node_id id : graph.topological_order()) {
    const migration& m = graph.at(id);
    // Every migration is read, in order, for the tables it creates; the
    // findings of those named are kept.
    std::set<std::string> created;
    auto found = lint_migration(m, ctx.catalog().files[static_cast<size_t>(id)].text(),
                                &empty_tables, &created);
    if (!applied[static_cast<size_t>(id)]) empty_tables.insert(created.begin(), created.end());
    if (!named(m.path, o.files)) continue;
    unmatched.erase(std::remove_if(unmatched.begin(), unmatched.end(),
                                   [&](const std::string& f) { return named(m.path, {f}); }),
                    unmatched.end());
    ++files;
    if (o.absolute_paths && !starts_with(m.path, "/"))
      for (auto& f : found) f.file = std::string(ctx.config().source_root) + "/" + f.file;
    findings.insert(findings.end(), found.begin(), found.end());
  }
  if (!unmatched.empty())
    throw usage_error("no migration of " + std::string(ctx.config().name) + " is '" +
                      unmatched.front() + "' (lint takes the runner's migration files)");
  int errors = 0, warnings = 0;
  for (const auto& f : findings) (f.rule->level == severity::error ? errors : warnings)++;
  if (format == "json") {
    nlohmann::json out = {{"findings", nlohmann::json::array()},
                          {"errors", errors},
                          {"warnings", warnings},
                          {"files", files}};
    for (const auto& f : findings)
      out["findings"].push_back({{"rule", f.rule->id},
                                 {"level", level_word(f)},
                                 {"file", f.file},
                                 {"line", f.line},
                                 {"column", f.column},
                                 {"downgrade", f.downgrade},
                                 {"message", f.message}});
    std::cout << out.dump(2) << "\n";
  } else if (format == "sarif") {
    std::cout << sarif(findings).dump(2) << "\n";
  } else if (format == "github") {
    for (const auto& f : findings)
      std::cout << "::" << level_word(f) << " file=" << github_escape(f.file, true)
                << ",line=" << f.line << ",col=" << f.column
                << ",title=" << github_escape(f.rule->id, true)
                << "::" << github_escape(f.message, false) << "\n";
  } else {
    for (const auto& f : findings) std::cout << format_lint_finding(f) << "\n";
    ctx.info(std::to_string(errors) + " error" + (errors == 1 ? "" : "s") + " and " +
             std::to_string(warnings) + " warning" + (warnings == 1 ? "" : "s") + " in " +
             std::to_string(files) + " migration" + (files == 1 ? "" : "s") +
             (findings.empty() ? ""
                               : " (a rule's id after each; 'lint --rules' lists them; "
                                 "'-- lint:ignore ID' on the line before a statement, or "
                                 "'-- migrate:lint_ignore ID' in the header, silences one)"));
  }
  if (o.warn_only) return ok;
  if (errors > 0 || (o.strict && warnings > 0)) return check_failed;
  return ok;
}

}  // namespace migration_tools::cli
