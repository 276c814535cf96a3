#include "migration_tools/core/graph_picture.hpp"

namespace migration_tools {

namespace {

// A node's text: its revision, its branch labels and its message, shortened.
std::string caption(const revision_graph& g, node_id id) {
  const migration& m = g.at(id);
  std::string text = m.revision;
  for (const auto& label : m.branch_labels) text += " (" + label + ")";
  std::string message = m.message.size() > 60 ? m.message.substr(0, 57) + "..." : m.message;
  if (!message.empty()) text += "\n" + message;
  return text;
}

// Inside a DOT "..." string.
std::string dot_quoted(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out + "\"";
}

// Inside a Mermaid ["..."] label: quotes and markup as entities, line breaks as <br/>.
std::string mermaid_label(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '"':
        out += "#quot;";
        break;
      case '<':
        out += "#lt;";
        break;
      case '>':
        out += "#gt;";
        break;
      case '#':
        out += "#35;";
        break;
      case '\n':
        out += "<br/>";
        break;
      default:
        out += c;
    }
  }
  return out;
}

// A Mermaid node id: the node's index, since revisions may hold characters
// Mermaid reads as syntax.
std::string mermaid_id(node_id id) {
  return "r" + std::to_string(id);
}

bool flagged(const std::vector<char>& v, node_id id) {
  return static_cast<size_t>(id) < v.size() && v[static_cast<size_t>(id)];
}

}  // namespace

std::string graph_picture(const revision_graph& g, picture_format format,
                          const std::vector<char>& current) {
  const auto& order = g.topological_order();
  std::string out;
  if (format == picture_format::dot) {
    out += "digraph migrations {\n  rankdir=BT;\n  node [shape=box, fontname=\"monospace\"];\n";
    for (node_id id : order) {
      out += "  " + dot_quoted(g.revision(id)) + " [label=" + dot_quoted(caption(g, id));
      if (g.children(id).empty()) out += ", style=bold";
      if (flagged(current, id)) out += ", color=blue, penwidth=2, xlabel=\"current\"";
      out += "];\n";
    }
    for (node_id id : order) {
      for (node_id p : g.parents(id))
        out += "  " + dot_quoted(g.revision(p)) + " -> " + dot_quoted(g.revision(id)) + ";\n";
      for (node_id d : g.dependencies(id))
        out += "  " + dot_quoted(g.revision(d)) + " -> " + dot_quoted(g.revision(id)) +
               " [style=dashed, label=\"depends on\"];\n";
    }
    return out + "}\n";
  }
  out += "flowchart BT\n";
  for (node_id id : order)
    out += "  " + mermaid_id(id) + "[\"" + mermaid_label(caption(g, id)) + "\"]\n";
  for (node_id id : order) {
    for (node_id p : g.parents(id)) out += "  " + mermaid_id(p) + " --> " + mermaid_id(id) + "\n";
    for (node_id d : g.dependencies(id))
      out += "  " + mermaid_id(d) + " -. depends on .-> " + mermaid_id(id) + "\n";
  }
  std::string heads, currents;
  for (node_id id : order) {
    if (g.children(id).empty()) heads += (heads.empty() ? "" : ",") + mermaid_id(id);
    if (flagged(current, id)) currents += (currents.empty() ? "" : ",") + mermaid_id(id);
  }
  out += "  classDef head stroke-width:3px\n";
  if (!heads.empty()) out += "  class " + heads + " head\n";
  if (!currents.empty())
    out += "  classDef current fill:#dbeafe,stroke:#1d4ed8\n  class " + currents + " current\n";
  return out;
}

}  // namespace migration_tools
