// Helpers that build revision graphs from small in-memory migration files, the
// way the runner does: every migration is parsed with parse_migration.
#pragma once

#include <algorithm>
#include <initializer_list>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "migration_tools/core/diagnostic.hpp"
#include "migration_tools/core/migration.hpp"
#include "migration_tools/core/revision_graph.hpp"

namespace test_helpers {

// One revision of a test graph: `down` is its down_revision list ("" for a
// base, "b1 b2" for a merge), `labels` its branch_labels, `depends` its depends_on.
struct rev {
  rev(std::string revision_, std::string down_, std::string labels_ = "", std::string depends_ = "")
      : revision(std::move(revision_)),
        down(std::move(down_)),
        labels(std::move(labels_)),
        depends(std::move(depends_)) {}
  std::string revision, down, labels, depends;
};

// The SQL file text of one revision. Line 1 is the revision key, line 2 the
// down_revision key; then branch_labels and depends_on, each on the next line
// when given (line 3 for the first of them).
inline std::string migration_text(const rev& r) {
  std::string text = "-- migrate:revision " + r.revision + "\n";
  text += "-- migrate:down_revision " + (r.down.empty() ? std::string("none") : r.down) + "\n";
  if (!r.labels.empty()) text += "-- migrate:branch_labels " + r.labels + "\n";
  if (!r.depends.empty()) text += "-- migrate:depends_on " + r.depends + "\n";
  text += "-- migrate:message " + r.revision + " message\n";
  text += "\n-- migrate:upgrade\nCREATE TABLE t_" + r.revision + " (id int);\n";
  text += "\n-- migrate:downgrade\nDROP TABLE t_" + r.revision + ";\n";
  return text;
}

inline std::string path_of(const rev& r) {
  return "migrations/" + r.revision + ".sql";
}

// Parses one revision; a parse error is a bug in the test, so it throws.
inline migration_tools::migration make_migration(const rev& r, const std::string& path) {
  std::vector<migration_tools::diagnostic> ds;
  auto m = migration_tools::parse_migration(path, migration_text(r), ds);
  if (!ds.empty())
    throw std::logic_error("test migration does not parse:\n" +
                           migration_tools::format_diagnostics(ds));
  return m;
}

inline std::vector<migration_tools::migration> make_migrations(const std::vector<rev>& revs) {
  std::vector<migration_tools::migration> out;
  for (const auto& r : revs) out.push_back(make_migration(r, path_of(r)));
  return out;
}

// A valid graph; throws migration_file_error (with the diagnostics) otherwise.
inline migration_tools::revision_graph build_graph(const std::vector<rev>& revs) {
  return migration_tools::revision_graph::build_or_throw(make_migrations(revs));
}

// The diagnostics of building a graph, formatted `path:LINE: error: message`.
inline std::vector<std::string> graph_errors_from(std::vector<migration_tools::migration> ms) {
  std::vector<migration_tools::diagnostic> ds;
  auto g = migration_tools::revision_graph::build(std::move(ms), ds);
  std::vector<std::string> out;
  for (const auto& d : ds) out.push_back(migration_tools::format_diagnostic(d));
  if (!g.empty() && migration_tools::has_errors(ds))
    out.push_back("<graph not empty despite errors>");
  return out;
}

inline std::vector<std::string> graph_errors(const std::vector<rev>& revs) {
  return graph_errors_from(make_migrations(revs));
}

// A linear chain r0 <- r1 <- ... of `n` revisions named prefix + index.
inline std::vector<rev> chain(int n, const std::string& prefix = "r") {
  std::vector<rev> out;
  for (int i = 0; i < n; ++i)
    out.emplace_back(prefix + std::to_string(i), i == 0 ? "" : prefix + std::to_string(i - 1));
  return out;
}

inline migration_tools::node_id id_of(const migration_tools::revision_graph& g,
                                      const std::string& revision) {
  auto id = g.find(revision);
  if (id < 0) throw std::logic_error("test graph has no revision '" + revision + "'");
  return id;
}

inline std::vector<migration_tools::node_id> ids_of(const migration_tools::revision_graph& g,
                                                    const std::vector<std::string>& revisions) {
  std::vector<migration_tools::node_id> out;
  for (const auto& r : revisions) out.push_back(id_of(g, r));
  return out;
}

// Revision names of node ids, in the given order.
inline std::vector<std::string> names(const migration_tools::revision_graph& g,
                                      const std::vector<migration_tools::node_id>& ids) {
  std::vector<std::string> out;
  for (auto id : ids) out.push_back(g.revision(id));
  return out;
}

// Revision names of node ids, sorted: for sets whose order does not matter.
inline std::vector<std::string> sorted_names(const migration_tools::revision_graph& g,
                                             const std::vector<migration_tools::node_id>& ids) {
  auto out = names(g, ids);
  std::sort(out.begin(), out.end());
  return out;
}

// Revision names of a membership mask, sorted.
inline std::vector<std::string> mask_names(const migration_tools::revision_graph& g,
                                           const std::vector<char>& mask) {
  std::vector<std::string> out;
  for (size_t i = 0; i < mask.size(); ++i)
    if (mask[i]) out.push_back(g.revision(static_cast<migration_tools::node_id>(i)));
  std::sort(out.begin(), out.end());
  return out;
}

using strings = std::vector<std::string>;

}  // namespace test_helpers
