#include "migration_tools/core/revision_graph.hpp"

#include <algorithm>

namespace migration_tools {

namespace {

std::string quoted(std::string_view s) {
  return "'" + std::string(s) + "'";
}

}  // namespace

revision_graph revision_graph::build(std::vector<migration> migrations,
                                     std::vector<diagnostic>& ds) {
  return build(std::make_unique<migration_vector_source>(std::move(migrations)), ds);
}

revision_graph revision_graph::build(std::unique_ptr<const migration_source> source,
                                     std::vector<diagnostic>& ds) {
  revision_graph g;
  size_t errors_before = ds.size();
  g.source_ = std::move(source);
  g.nodes_.resize(g.source_->size());
  g.link(ds);
  bool failed = std::any_of(ds.begin() + static_cast<long>(errors_before), ds.end(),
                            [](const diagnostic& d) { return d.level == severity::error; });
  if (!failed) failed = g.find_cycles(false, ds) || g.find_cycles(true, ds);
  if (failed) return revision_graph{};
  g.normalise_dependencies();
  for (node_id id = 0; id < static_cast<node_id>(g.nodes_.size()); ++id) {
    if (g.children(id).empty()) g.heads_.push_back(id);
    if (g.parents(id).empty()) g.bases_.push_back(id);
  }
  g.compute_order();
  g.spread_labels();
  return g;
}

revision_graph revision_graph::build_or_throw(std::vector<migration> migrations) {
  return build_or_throw(std::make_unique<migration_vector_source>(std::move(migrations)));
}

revision_graph revision_graph::build_or_throw(std::unique_ptr<const migration_source> source) {
  std::vector<diagnostic> ds;
  auto g = build(std::move(source), ds);
  if (has_errors(ds)) throw migration_file_error(std::move(ds));
  return g;
}

void revision_graph::link(std::vector<diagnostic>& ds) {
  // Reads only the links of each migration: the whole one (its path and key
  // lines) is made for a diagnostic alone. A duplicate is left out of the
  // later checks, so that they see one node per revision; the graph is empty
  // after any error, so its node ids need no renumbering.
  by_revision_.reserve(nodes_.size());
  std::vector<bool> duplicate(nodes_.size(), false);
  for (node_id id = 0; id < static_cast<node_id>(nodes_.size()); ++id) {
    auto [it, inserted] = by_revision_.emplace(links(id).revision, id);
    if (inserted) continue;
    const auto& m = at(id);
    const auto& other = at(it->second);
    ds.push_back({m.path, m.line_of("revision"), severity::error,
                  "duplicate revision " + quoted(m.revision) + " (also defined at " + other.path +
                      ":" + std::to_string(other.line_of("revision")) + ")"});
    duplicate[static_cast<size_t>(id)] = true;
  }

  for (node_id id = 0; id < static_cast<node_id>(nodes_.size()); ++id) {
    if (duplicate[static_cast<size_t>(id)]) continue;
    links(id).branch_labels.for_each([&](std::string_view label) {
      auto [it, inserted] = by_label_.emplace(label, id);
      if (inserted) return;
      const auto& m = at(id);
      const auto& other = at(it->second);
      ds.push_back({m.path, m.line_of("branch_labels"), severity::error,
                    "branch label " + quoted(label) + " is already used by revision " +
                        quoted(other.revision) + " (" + other.path + ":" +
                        std::to_string(other.line_of("branch_labels")) + ")"});
    });
  }

  for (node_id id = 0; id < static_cast<node_id>(nodes_.size()); ++id) {
    if (duplicate[static_cast<size_t>(id)]) continue;
    auto& n = nodes_[static_cast<size_t>(id)];
    const migration_links l = links(id);
    l.down_revisions.for_each([&](std::string_view parent) {
      if (parent == l.revision) {
        ds.push_back({at(id).path, at(id).line_of("down_revision"), severity::error,
                      "revision " + quoted(parent) + " lists itself as its down_revision"});
        return;
      }
      node_id p = find(parent);
      if (p < 0) {
        ds.push_back({at(id).path, at(id).line_of("down_revision"), severity::error,
                      "revision " + quoted(parent) + " referenced from " + quoted(l.revision) +
                          " is not present"});
        return;
      }
      n.parents.push_back(p);
    });
    l.depends_on.for_each([&](std::string_view dep) {
      node_id d = find(dep);
      if (d < 0) d = find_label(dep);
      if (d == id) {
        ds.push_back({at(id).path, at(id).line_of("depends_on"), severity::error,
                      "revision " + quoted(dep) + " depends on itself"});
        return;
      }
      if (d < 0) {
        ds.push_back(
            {at(id).path, at(id).line_of("depends_on"), severity::error,
             "dependency " + quoted(dep) + " of " + quoted(l.revision) + " is not present"});
        return;
      }
      if (dependencies_.empty()) dependencies_.resize(nodes_.size());
      dependencies_[static_cast<size_t>(id)].push_back(d);
    });
  }
  for (node_id id = 0; id < static_cast<node_id>(nodes_.size()); ++id) {
    for (node_id p : nodes_[static_cast<size_t>(id)].parents)
      nodes_[static_cast<size_t>(p)].children.push_back(id);
  }
  if (!dependencies_.empty()) dependents_.resize(nodes_.size());
  for (node_id id = 0; id < static_cast<node_id>(dependencies_.size()); ++id) {
    for (node_id d : dependencies_[static_cast<size_t>(id)])
      dependents_[static_cast<size_t>(d)].push_back(id);
  }
}

// Iterative depth-first search (a chain of ten thousand migrations must not
// exhaust the stack). Each cycle is reported once, at the file of the revision
// where the search closed it, listing the revisions in order.
bool revision_graph::find_cycles(bool with_dependencies, std::vector<diagnostic>& ds) const {
  enum : char { white, grey, black };
  std::vector<char> colour(nodes_.size(), white);
  bool found = false;
  struct frame {
    node_id id;
    size_t next;
  };
  auto edges = [&](node_id id, size_t i) -> node_id {
    const auto& parents = node(id).parents;
    if (i < parents.size()) return parents[i];
    i -= parents.size();
    if (with_dependencies && i < dependencies(id).size()) return dependencies(id)[i];
    return -1;
  };
  for (node_id root = 0; root < static_cast<node_id>(nodes_.size()); ++root) {
    if (colour[static_cast<size_t>(root)] != white) continue;
    std::vector<frame> stack{{root, 0}};
    colour[static_cast<size_t>(root)] = grey;
    while (!stack.empty()) {
      frame& f = stack.back();
      node_id next = edges(f.id, f.next++);
      if (next < 0) {
        colour[static_cast<size_t>(f.id)] = black;
        stack.pop_back();
        continue;
      }
      if (colour[static_cast<size_t>(next)] == grey) {
        // The cycle is the part of the stack from `next` to the top, walked
        // child -> parent; list it parent-first, as the revisions would apply.
        std::vector<std::string> names;
        auto start =
            std::find_if(stack.begin(), stack.end(), [&](const frame& s) { return s.id == next; });
        for (auto it = start; it != stack.end(); ++it) names.push_back(revision(it->id));
        std::reverse(names.begin(), names.end());
        std::string list;
        for (const auto& nm : names) list += (list.empty() ? "" : " -> ") + quoted(nm);
        list += " -> " + quoted(names.front());
        const auto& m = at(next);
        ds.push_back({m.path, m.line_of(with_dependencies ? "depends_on" : "down_revision"),
                      severity::error,
                      std::string(with_dependencies ? "dependency cycle" : "cycle") +
                          " between revisions " + list});
        found = true;
        continue;
      }
      if (colour[static_cast<size_t>(next)] == white) {
        colour[static_cast<size_t>(next)] = grey;
        stack.push_back({next, 0});
      }
    }
  }
  return found;
}

void revision_graph::normalise_dependencies() {
  // A dependency that an ancestor already implies adds nothing: drop it so that
  // version rows and heads follow Alembic's normalised view.
  for (node_id id = 0; id < static_cast<node_id>(dependencies_.size()); ++id) {
    auto& own = dependencies_[static_cast<size_t>(id)];
    if (own.empty()) continue;
    std::vector<node_id> kept;
    for (node_id d : own) {
      std::vector<node_id> others = parents(id);
      for (node_id e : own)
        if (e != d) others.push_back(e);
      auto mask = closure_down(others);
      if (!mask[static_cast<size_t>(d)]) kept.push_back(d);
    }
    if (kept.size() != own.size()) {
      for (node_id d : own) {
        if (std::find(kept.begin(), kept.end(), d) != kept.end()) continue;
        auto& deps = dependents_[static_cast<size_t>(d)];
        deps.erase(std::remove(deps.begin(), deps.end(), id), deps.end());
      }
      own = std::move(kept);
    }
  }
}

void revision_graph::compute_order() {
  topo_.clear();
  topo_.reserve(nodes_.size());
  std::vector<char> done(nodes_.size(), 0);
  struct frame {
    node_id id;
    size_t next;
  };
  auto visit = [&](node_id root) {
    if (done[static_cast<size_t>(root)]) return;
    std::vector<frame> stack{{root, 0}};
    done[static_cast<size_t>(root)] = 1;
    while (!stack.empty()) {
      frame& f = stack.back();
      const auto& deps = dependencies(f.id);
      const auto& parents = node(f.id).parents;
      size_t i = f.next++;
      node_id next = -1;
      if (i < deps.size()) {
        next = deps[i];
      } else if (i - deps.size() < parents.size()) {
        next = parents[i - deps.size()];
      } else {
        nodes_[static_cast<size_t>(f.id)].topo_index = static_cast<int>(topo_.size());
        topo_.push_back(f.id);
        stack.pop_back();
        continue;
      }
      if (!done[static_cast<size_t>(next)]) {
        done[static_cast<size_t>(next)] = 1;
        stack.push_back({next, 0});
      }
    }
  };
  for (node_id h : heads_) visit(h);
  for (node_id id = 0; id < static_cast<node_id>(nodes_.size()); ++id) visit(id);
}

node_id revision_graph::find(std::string_view revision) const {
  auto it = by_revision_.find(revision);
  return it == by_revision_.end() ? -1 : it->second;
}

node_id revision_graph::find_label(std::string_view label) const {
  auto it = by_label_.find(label);
  return it == by_label_.end() ? -1 : it->second;
}

std::vector<node_id> revision_graph::real_heads() const {
  std::vector<node_id> out;
  for (node_id h : heads_)
    if (dependents(h).empty()) out.push_back(h);
  return out;
}

bool revision_graph::is_effective_head(node_id id) const {
  return children(id).empty() && !dependents(id).empty();
}

namespace {

// Depth-first closure of `ids` over one or two adjacency lists per node.
template <typename Primary, typename Secondary>
std::vector<char> closure(size_t size, const std::vector<node_id>& ids, Primary primary,
                          Secondary secondary, bool with_secondary) {
  std::vector<char> mask(size, 0);
  std::vector<node_id> work;
  auto visit = [&](node_id n) {
    if (!mask[static_cast<size_t>(n)]) mask[static_cast<size_t>(n)] = 1, work.push_back(n);
  };
  for (node_id id : ids) visit(id);
  while (!work.empty()) {
    node_id id = work.back();
    work.pop_back();
    for (node_id n : primary(id)) visit(n);
    if (with_secondary)
      for (node_id n : secondary(id)) visit(n);
  }
  return mask;
}

}  // namespace

std::vector<char> revision_graph::closure_down(const std::vector<node_id>& ids,
                                               edge_kind edges) const {
  return closure(
      nodes_.size(), ids, [&](node_id id) -> const auto& { return parents(id); },
      [&](node_id id) -> const auto& { return dependencies(id); }, edges == edge_kind::all);
}

std::vector<char> revision_graph::closure_up(const std::vector<node_id>& ids,
                                             edge_kind edges) const {
  return closure(
      nodes_.size(), ids, [&](node_id id) -> const auto& { return children(id); },
      [&](node_id id) -> const auto& { return dependents(id); }, edges == edge_kind::all);
}

std::vector<char> revision_graph::lineage(const std::vector<node_id>& ids, edge_kind edges) const {
  auto mask = closure_down(ids, edges);
  auto up = closure_up(ids, edges);
  for (size_t i = 0; i < mask.size(); ++i) mask[i] = mask[i] || up[i];
  return mask;
}

std::vector<node_id> revision_graph::heads_of(const std::vector<char>& mask,
                                              edge_kind edges) const {
  std::vector<node_id> out;
  for (node_id id : topo_) {
    if (!mask[static_cast<size_t>(id)]) continue;
    bool covered = false;
    for (node_id c : children(id)) covered = covered || mask[static_cast<size_t>(c)];
    if (edges == edge_kind::all)
      for (node_id c : dependents(id)) covered = covered || mask[static_cast<size_t>(c)];
    if (!covered) out.push_back(id);
  }
  return out;
}

void revision_graph::spread_labels() {
  // A label covers the revision carrying it and everything above it (children
  // only: a dependent belongs to its own branch), and reaches down through
  // plain ancestors until a branch point (counting dependents, as Alembic's
  // "real" branch point does) or a merge point, which belong to several lines.
  for (node_id id = 0; id < static_cast<node_id>(nodes_.size()); ++id) {
    const id_list own = links(id).branch_labels;
    if (own.empty()) continue;
    std::vector<node_id> covered;
    auto up = closure_up({id}, edge_kind::versioned);
    for (node_id n = 0; n < static_cast<node_id>(up.size()); ++n)
      if (up[static_cast<size_t>(n)]) covered.push_back(n);
    for (node_id n = id; parents(n).size() == 1;) {
      node_id p = parents(n).front();
      if (children(p).size() + dependents(p).size() > 1 || is_merge_point(p)) break;
      covered.push_back(p);
      n = p;
    }
    if (labels_.empty()) labels_.resize(nodes_.size());
    for (node_id n : covered) {
      auto& labels = labels_[static_cast<size_t>(n)];
      own.for_each([&](std::string_view label) { labels.emplace_back(label); });
    }
  }
  for (auto& labels : labels_) {
    std::sort(labels.begin(), labels.end());
    labels.erase(std::unique(labels.begin(), labels.end()), labels.end());
  }
}

bool revision_graph::on_branch(node_id id, std::string_view label) const {
  const auto& labels = branch_labels_of(id);
  return std::binary_search(labels.begin(), labels.end(), label);
}

}  // namespace migration_tools
