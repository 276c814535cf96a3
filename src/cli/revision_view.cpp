#include "revision_view.hpp"

#include "migration_tools/core/text.hpp"

namespace migration_tools::cli {

namespace {

std::string join(const revision_graph& g, const std::vector<node_id>& ids) {
  std::string out;
  for (node_id id : ids) out += (out.empty() ? "" : ", ") + g.revision(id);
  return out;
}

std::vector<std::string> names(const revision_graph& g, const std::vector<node_id>& ids) {
  std::vector<std::string> out;
  for (node_id id : ids) out.push_back(g.revision(id));
  return out;
}

bool is_current(const std::vector<char>* current, node_id id) {
  return current && (*current)[static_cast<size_t>(id)];
}

}  // namespace

std::string revision_line(const revision_graph& g, node_id id, const std::vector<char>* current) {
  std::string parents = join(g, g.parents(id));
  std::string out = (parents.empty() ? "<base>" : parents) + " -> " + g.revision(id);
  for (const auto& label : g.at(id).branch_labels) out += " (" + label + ")";
  if (g.children(id).empty()) out += g.is_effective_head(id) ? " (effective head)" : " (head)";
  if (is_current(current, id)) out += " (current)";
  if (g.is_branch_point(id)) out += " (branchpoint)";
  if (g.is_merge_point(id)) out += " (mergepoint)";
  if (!g.at(id).message.empty()) out += ", " + escape_control_characters(g.at(id).message);
  return out;
}

std::string revision_block(const revision_graph& g, node_id id, const std::vector<char>* current) {
  const auto& m = g.at(id);
  std::string out = "Rev: " + m.revision;
  if (g.children(id).empty()) out += g.is_effective_head(id) ? " (effective head)" : " (head)";
  if (is_current(current, id)) out += " (current)";
  if (g.is_branch_point(id)) out += " (branchpoint)";
  if (g.is_merge_point(id)) out += " (mergepoint)";
  std::string parents = join(g, g.parents(id));
  out += "\nParent: " + (parents.empty() ? std::string("<base>") : parents);
  if (!g.children(id).empty()) out += "\nChildren: " + join(g, g.children(id));
  if (!g.dependencies(id).empty()) out += "\nDepends on: " + join(g, g.dependencies(id));
  if (!m.branch_labels.empty()) {
    std::string labels;
    for (const auto& l : m.branch_labels) labels += (labels.empty() ? "" : ", ") + l;
    out += "\nBranch names: " + labels;
  }
  out += "\nPath: " + m.path;
  if (!m.created.empty()) out += "\nCreated: " + m.created;
  out += "\n\n    " +
         (m.message.empty() ? std::string("(no message)") : escape_control_characters(m.message)) +
         "\n";
  return out;
}

nlohmann::json revision_json(const revision_graph& g, node_id id,
                             const std::vector<char>* current) {
  const auto& m = g.at(id);
  nlohmann::json j = {
      {"revision", m.revision},
      {"down_revisions", names(g, g.parents(id))},
      {"message", m.message},
      {"path", m.path},
      {"created", m.created.empty() ? nlohmann::json(nullptr) : nlohmann::json(m.created)},
      {"branch_labels", m.branch_labels},
      {"depends_on", names(g, g.dependencies(id))},
      {"is_head", g.children(id).empty()},
      {"is_effective_head", g.is_effective_head(id)},
      {"is_branch_point", g.is_branch_point(id)},
      {"is_merge_point", g.is_merge_point(id)},
      {"kind", m.kind == migration_kind::cpp ? "cpp" : "sql"},
  };
  if (current) j["is_current"] = is_current(current, id);
  return j;
}

}  // namespace migration_tools::cli
