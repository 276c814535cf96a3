// current, history, heads and check: read-only views of the graph and the database.
#include <algorithm>
#include <iostream>

#include "commands.hpp"

namespace migration_tools::cli {

namespace {

bool contains(const std::vector<node_id>& v, node_id id) {
  return std::find(v.begin(), v.end(), id) != v.end();
}

// Alembic's one-line form: `parent -> rev (label) (head) (current) (branchpoint) (mergepoint), message`.
std::string revision_line(const revision_graph& g, node_id id, const std::vector<node_id>* current) {
  std::string parents;
  for (node_id p : g.parents(id)) parents += (parents.empty() ? "" : ", ") + g.revision(p);
  std::string out = (parents.empty() ? "<base>" : parents) + " -> " + g.revision(id);
  for (const auto& label : g.at(id).branch_labels) out += " (" + label + ")";
  if (g.children(id).empty()) out += g.is_effective_head(id) ? " (effective head)" : " (head)";
  if (current && contains(*current, id)) out += " (current)";
  if (g.is_branch_point(id)) out += " (branchpoint)";
  if (g.is_merge_point(id)) out += " (mergepoint)";
  if (!g.at(id).message.empty()) out += ", " + g.at(id).message;
  return out;
}

std::string revision_block(const revision_graph& g, node_id id) {
  const auto& m = g.at(id);
  std::string parents, children;
  for (node_id p : g.parents(id)) parents += (parents.empty() ? "" : ", ") + g.revision(p);
  for (node_id c : g.children(id)) children += (children.empty() ? "" : ", ") + g.revision(c);
  std::string out = "Rev: " + m.revision;
  if (g.children(id).empty()) out += " (head)";
  out += "\nParent: " + (parents.empty() ? std::string("<base>") : parents);
  if (!children.empty()) out += "\nChildren: " + children;
  if (!m.depends_on.empty()) {
    std::string deps;
    for (node_id d : g.dependencies(id)) deps += (deps.empty() ? "" : ", ") + g.revision(d);
    out += "\nDepends on: " + deps;
  }
  if (!m.branch_labels.empty()) {
    std::string labels;
    for (const auto& l : m.branch_labels) labels += (labels.empty() ? "" : ", ") + l;
    out += "\nBranch names: " + labels;
  }
  out += "\nPath: " + m.path;
  if (!m.created.empty()) out += "\nCreated: " + m.created;
  out += "\n\n    " + (m.message.empty() ? std::string("(no message)") : m.message) + "\n";
  return out;
}

}  // namespace

int current_command(runner_context& ctx, bool verbose) {
  const auto& g = ctx.graph();
  auto state = ctx.current_state();
  if (state.heads.empty()) ctx.info("no migrations are applied (the database is at base)");
  for (node_id id : state.heads) {
    if (verbose) {
      std::cout << revision_block(g, id) << "\n";
      continue;
    }
    std::cout << g.revision(id);
    if (g.children(id).empty()) std::cout << (g.is_effective_head(id) ? " (effective head)" : " (head)");
    std::cout << "\n";
  }
  return ok;
}

int history_command(runner_context& ctx, bool verbose) {
  const auto& g = ctx.graph();
  const auto& order = g.topological_order();
  for (auto it = order.rbegin(); it != order.rend(); ++it)
    std::cout << (verbose ? revision_block(g, *it) + "\n" : revision_line(g, *it, nullptr) + "\n");
  return ok;
}

int heads_command(runner_context& ctx, bool verbose) {
  const auto& g = ctx.graph();
  for (node_id id : g.heads()) {
    if (verbose) {
      std::cout << revision_block(g, id) << "\n";
      continue;
    }
    std::cout << g.revision(id);
    for (const auto& label : g.at(id).branch_labels) std::cout << " (" << label << ")";
    std::cout << (g.is_effective_head(id) ? " (effective head)" : " (head)") << "\n";
  }
  return ok;
}

int check_command(runner_context& ctx) {
  const auto& g = ctx.graph();
  int result = ok;
  auto problem = [&](const std::string& text) {
    std::cout << ctx.style("problem:", "1;31") << " " << text << "\n";
    result = check_failed;
  };
  auto heads = g.real_heads();
  if (heads.size() > 1 && !ctx.config().allow_multiple_heads) {
    std::string list;
    for (node_id h : heads)
      list += "\n  " + g.at(h).path + ":" + std::to_string(g.at(h).line_of("revision")) + ": " +
              g.revision(h) + (g.at(h).message.empty() ? "" : " (" + g.at(h).message + ")");
    problem("divergent heads:" + list + "\n  merge them with: " + ctx.config().name +
            " merge heads -m \"merge heads\"");
  }
  auto state = ctx.current_state();
  auto mask = g.closure_down(heads);
  std::vector<node_id> pending;
  for (node_id id : g.topological_order())
    if (mask[static_cast<size_t>(id)] && !state.applied[static_cast<size_t>(id)]) pending.push_back(id);
  if (!pending.empty()) {
    std::string list;
    for (node_id id : pending) list += "\n  " + g.revision(id) + "  " + g.at(id).path;
    problem("the database is behind: it is at " + describe_revisions(g, state.heads) + ", and " +
            std::to_string(pending.size()) + " migration" + (pending.size() == 1 ? " is" : "s are") +
            " not applied:" + list);
  }
  if (result == ok)
    std::cout << "ok: the graph is valid and the database is at " << describe_revisions(g, state.heads)
              << "\n";
  return result;
}

}  // namespace migration_tools::cli
