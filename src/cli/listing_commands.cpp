// current, history, heads, branches and show: read-only views of the graph
// and the database, as text or (--format json) as JSON.
#include <algorithm>
#include <iostream>

#include "commands.hpp"
#include "migration_tools/core/graph_picture.hpp"
#include "migration_tools/core/revision_resolver.hpp"
#include "migration_tools/core/text.hpp"
#include "migration_tools/postgres/errors.hpp"
#include "revision_view.hpp"

namespace migration_tools::cli {

namespace {

bool json_output(const runner_context& ctx) {
  return ctx.options().format == "json";
}

void print_json(const nlohmann::json& j) {
  std::cout << j.dump(2) << "\n";
}

// A mask of the database's current heads.
std::vector<char> current_mask(runner_context& ctx) {
  std::vector<char> mask(ctx.graph().size(), 0);
  for (node_id id : ctx.current_state().heads) mask[static_cast<size_t>(id)] = 1;
  return mask;
}

// The revisions of `history -r START:END`: descendants of START (inclusive)
// that are ancestors of END (inclusive); an empty side is open.
std::vector<char> history_range(runner_context& ctx, const std::string& range) {
  const auto& g = ctx.graph();
  auto colon = range.find(':');
  if (colon == std::string::npos)
    throw usage_error("history range '" + range +
                      "' needs the form START:END (either may be empty)");
  std::string start = range.substr(0, colon), end = range.substr(colon + 1);
  revision_set current;
  if (names_database_state(start) || names_database_state(end)) current = ctx.current_state().heads;
  revision_resolver resolver(g, current);
  auto resolve = [&](const std::string& spec) {
    return spec == "current" ? current : resolver.resolve(spec);
  };
  std::vector<char> mask(g.size(), 1);
  if (!start.empty()) {
    auto from = resolve(start);
    if (!from.empty()) mask = g.closure_up(from);
  }
  if (!end.empty()) {
    auto to = g.closure_down(resolve(end));
    for (size_t i = 0; i < mask.size(); ++i) mask[i] = mask[i] && to[i];
  }
  return mask;
}

}  // namespace

bool names_database_state(const std::string& spec) {
  return spec.find("current") != std::string::npos ||
         (!spec.empty() && (spec[0] == '+' || spec[0] == '-'));
}

int current_command(runner_context& ctx, bool verbose) {
  const auto& g = ctx.graph();
  auto state = ctx.current_state();
  if (json_output(ctx)) {
    nlohmann::json list = nlohmann::json::array();
    for (node_id id : state.heads) list.push_back(revision_json(g, id, nullptr));
    print_json({{"current", list}});
    return ok;
  }
  if (state.heads.empty()) ctx.info("no migrations are applied (the database is at base)");
  for (node_id id : state.heads) {
    if (verbose) {
      std::cout << revision_block(g, id, nullptr) << "\n";
      continue;
    }
    std::cout << g.revision(id);
    if (g.children(id).empty())
      std::cout << (g.is_effective_head(id) ? " (effective head)" : " (head)");
    std::cout << "\n";
  }
  return ok;
}

int history_command(runner_context& ctx, const history_options& o) {
  const auto& g = ctx.graph();
  std::vector<char> current;
  if (o.indicate_current) current = current_mask(ctx);
  const std::string& format = ctx.options().format;
  if (format == "dot" || format == "mermaid") {
    if (!o.range.empty())
      throw usage_error("a picture of the graph shows all of it: drop the range '" + o.range + "'");
    std::cout << graph_picture(g, format == "dot" ? picture_format::dot : picture_format::mermaid,
                               current);
    return ok;
  }
  const std::vector<char>* cur = o.indicate_current ? &current : nullptr;
  std::vector<char> in_range =
      o.range.empty() ? std::vector<char>(g.size(), 1) : history_range(ctx, o.range);
  const auto& order = g.topological_order();
  nlohmann::json list = nlohmann::json::array();
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    if (!in_range[static_cast<size_t>(*it)]) continue;
    if (json_output(ctx)) {
      list.push_back(revision_json(g, *it, cur));
    } else {
      std::cout << (o.verbose ? revision_block(g, *it, cur) + "\n"
                              : revision_line(g, *it, cur) + "\n");
    }
  }
  if (json_output(ctx)) print_json({{"revisions", list}});
  return ok;
}

int heads_command(runner_context& ctx, bool verbose) {
  const auto& g = ctx.graph();
  nlohmann::json list = nlohmann::json::array();
  for (node_id id : g.heads()) {
    if (json_output(ctx)) {
      list.push_back(revision_json(g, id, nullptr));
    } else if (verbose) {
      std::cout << revision_block(g, id, nullptr) << "\n";
    } else {
      std::cout << g.revision(id);
      for (const auto& label : g.at(id).branch_labels) std::cout << " (" << label << ")";
      std::cout << (g.is_effective_head(id) ? " (effective head)" : " (head)") << "\n";
    }
  }
  if (json_output(ctx)) print_json({{"heads", list}});
  return ok;
}

int branches_command(runner_context& ctx, bool verbose) {
  const auto& g = ctx.graph();
  nlohmann::json list = nlohmann::json::array();
  for (node_id id : g.topological_order()) {
    if (!g.is_branch_point(id)) continue;
    if (json_output(ctx)) {
      nlohmann::json children = nlohmann::json::array();
      for (node_id c : g.children(id)) children.push_back(revision_json(g, c, nullptr));
      auto j = revision_json(g, id, nullptr);
      j["children"] = children;
      list.push_back(j);
      continue;
    }
    std::cout << (verbose ? revision_block(g, id, nullptr) : revision_line(g, id, nullptr) + "\n");
    for (node_id c : g.children(id)) std::cout << "    -> " << revision_line(g, c, nullptr) << "\n";
  }
  if (json_output(ctx)) print_json({{"branches", list}});
  return ok;
}

int show_command(runner_context& ctx, const std::string& spec) {
  const auto& g = ctx.graph();
  revision_set current;
  if (names_database_state(spec)) current = ctx.current_state().heads;
  auto ids = spec == "current" ? current : revision_resolver(g, current).resolve(spec);
  if (ids.empty()) throw usage_error("'" + spec + "' names no revision (base)");
  nlohmann::json list = nlohmann::json::array();
  for (node_id id : ids) {
    if (json_output(ctx)) {
      list.push_back(revision_json(g, id, nullptr));
    } else {
      std::cout << revision_block(g, id, nullptr);
    }
  }
  if (json_output(ctx)) print_json(ids.size() == 1 ? list[0] : nlohmann::json{{"revisions", list}});
  return ok;
}

std::vector<std::string> graph_problems(const runner_context& ctx) {
  const auto& g = ctx.graph();
  auto heads = g.real_heads();
  if (heads.size() <= 1 || ctx.config().allow_multiple_heads) return {};
  std::string list;
  // Lines that name a file start at column 0, as configure prints them, so
  // that IDEs and CI problem matchers link them.
  for (node_id h : heads)
    list += "\n" + format_diagnostic(
                       {g.at(h).path, g.at(h).line_of("revision"), severity::error,
                        "head '" + g.revision(h) + "'" +
                            (g.at(h).message.empty()
                                 ? ""
                                 : " (" + escape_control_characters(g.at(h).message) + ")")});
  return {"divergent heads:" + list + "\n  merge them with: " + ctx.config().name +
          " merge heads -m \"merge heads\""};
}

int check_graph_command(runner_context& ctx) {
  auto problems = graph_problems(ctx);
  for (const auto& p : problems) std::cout << ctx.style("problem:", "1;31") << " " << p << "\n";
  if (!problems.empty()) return check_failed;
  std::cout << "ok: the graph is valid, with head "
            << describe_revisions(ctx.graph(), ctx.graph().real_heads())
            << " (the database was not asked)\n";
  return ok;
}

}  // namespace migration_tools::cli
