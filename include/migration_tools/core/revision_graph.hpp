// The revision graph: migrations as nodes, down_revision edges to parents and
// depends_on edges to dependencies. Built once, validated, then read-only.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "migration_tools/core/migration.hpp"
#include "migration_tools/core/migration_source.hpp"

namespace migration_tools {

using node_id = int;

// Which edges a walk follows: `versioned` only down_revision (parent/child)
// edges, `all` also depends_on edges. Alembic uses the first for branch
// lineage and the second for what must be applied before what.
enum class edge_kind { versioned, all };

class revision_graph {
 public:
  revision_graph() = default;
  // Move-only: the lookup maps hold views into the source's strings.
  revision_graph(revision_graph&&) = default;
  revision_graph& operator=(revision_graph&&) = default;
  revision_graph(const revision_graph&) = delete;
  revision_graph& operator=(const revision_graph&) = delete;

  // Validates and builds. Problems (duplicate revision, missing parent,
  // self-loop, cycle, dependency cycle, label used twice) are appended to
  // `diagnostics`; with any error the graph is empty. A valid graph keeps the
  // migrations in the order given: node i is migrations[i].
  static revision_graph build(std::vector<migration> migrations,
                              std::vector<diagnostic>& diagnostics);
  // The same from a source that makes each migration only when at() asks for
  // it (migration_source.hpp): node i is the source's migration i.
  static revision_graph build(std::unique_ptr<const migration_source> source,
                              std::vector<diagnostic>& diagnostics);
  // Builds or throws migration_file_error.
  static revision_graph build_or_throw(std::vector<migration> migrations);
  static revision_graph build_or_throw(std::unique_ptr<const migration_source> source);

  size_t size() const { return nodes_.size(); }
  bool empty() const { return nodes_.empty(); }
  // The whole migration (made on first use when the source is lazy).
  const migration& at(node_id id) const { return source_->at(static_cast<size_t>(id)); }
  const std::string& revision(node_id id) const { return at(id).revision; }

  // -1 when absent. Exact revision id only.
  node_id find(std::string_view revision) const;
  // Node carrying this branch label, or -1.
  node_id find_label(std::string_view label) const;

  const std::vector<node_id>& parents(node_id id) const { return node(id).parents; }
  const std::vector<node_id>& children(node_id id) const { return node(id).children; }
  // depends_on after normalisation: dependencies implied by an ancestor are dropped.
  const std::vector<node_id>& dependencies(node_id id) const {
    return dependencies_.empty() ? no_nodes_ : dependencies_[static_cast<size_t>(id)];
  }
  const std::vector<node_id>& dependents(node_id id) const {
    return dependents_.empty() ? no_nodes_ : dependents_[static_cast<size_t>(id)];
  }

  // Revisions that are no one's parent, in file order.
  const std::vector<node_id>& heads() const { return heads_; }
  // Heads that no other revision depends on (what `upgrade heads` must reach).
  std::vector<node_id> real_heads() const;
  bool is_effective_head(node_id id) const;  // a head that something depends on
  const std::vector<node_id>& bases() const { return bases_; }
  bool is_branch_point(node_id id) const { return children(id).size() > 1; }
  bool is_merge_point(node_id id) const { return parents(id).size() > 1; }

  // Every node in an order where parents and dependencies come before a node:
  // depth-first from the heads in file order, parents in the order they are
  // listed in down_revision, dependencies before parents. Each branch is
  // finished before the merge that joins it.
  const std::vector<node_id>& topological_order() const { return topo_; }
  // Position of a node in topological_order().
  int topo_index(node_id id) const { return node(id).topo_index; }

  // `ids` and all their ancestors (parents and dependencies), as a membership mask.
  std::vector<char> closure_down(const std::vector<node_id>& ids,
                                 edge_kind edges = edge_kind::all) const;
  // `ids` and all their descendants (children and dependents), as a membership mask.
  std::vector<char> closure_up(const std::vector<node_id>& ids,
                               edge_kind edges = edge_kind::all) const;
  // Ancestors and descendants of `ids` (and `ids`): everything that shares a
  // line of history with them. This is "the branch containing X" of `X@Y`.
  std::vector<char> lineage(const std::vector<node_id>& ids, edge_kind edges) const;
  // Nodes in `mask` that nothing else in `mask` has as parent or dependency
  // (with edge_kind::versioned: as parent), in topological order.
  std::vector<node_id> heads_of(const std::vector<char>& mask,
                                edge_kind edges = edge_kind::all) const;

  // Branch labels in effect on a node, sorted: a label names the revision
  // carrying it, its descendants, and its ancestors back to the nearest
  // branch or merge point (Alembic's semantics).
  const std::vector<std::string>& branch_labels_of(node_id id) const {
    return labels_.empty() ? no_labels_ : labels_[static_cast<size_t>(id)];
  }
  bool on_branch(node_id id, std::string_view label) const;

 private:
  // The edges of node i, whose migration is the source's migration i.
  struct node_data {
    std::vector<node_id> parents, children;
    int topo_index = -1;
  };
  // Per node too, but only in a graph that has any: most have no depends_on
  // and no branch label, and a vector for each per node was half of the
  // memory of the graph.
  std::vector<std::vector<node_id>> dependencies_, dependents_;
  std::vector<std::vector<std::string>> labels_;  // branch labels in effect
  inline static const std::vector<node_id> no_nodes_{};
  inline static const std::vector<std::string> no_labels_{};
  const node_data& node(node_id id) const { return nodes_[static_cast<size_t>(id)]; }
  migration_links links(node_id id) const { return source_->links(static_cast<size_t>(id)); }
  void link(std::vector<diagnostic>& ds);
  bool find_cycles(bool with_dependencies, std::vector<diagnostic>& ds) const;
  void compute_order();
  void normalise_dependencies();
  void spread_labels();

  std::unique_ptr<const migration_source> source_;
  std::vector<node_data> nodes_;
  std::unordered_map<std::string_view, node_id> by_revision_;
  std::unordered_map<std::string_view, node_id> by_label_;
  std::vector<node_id> heads_, bases_, topo_;
};

}  // namespace migration_tools
