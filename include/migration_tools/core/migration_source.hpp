// What a revision graph is built from: for each migration, the few header
// values that link it into the graph, cheap to read, and the whole migration
// only when a command asks for it. A runner's embedded catalog gives the links
// as views of the header data compiled into it, so that `heads` at 1,000
// migrations makes two migrations rather than a thousand (most of the time it
// took was the memory of migrations it never read).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "migration_tools/core/migration.hpp"

namespace migration_tools {

// A list of revision ids or labels: a migration's vector of them, or a view of
// the ids separated by single spaces, as embedded headers keep them.
class id_list {
 public:
  id_list() = default;
  explicit id_list(const std::vector<std::string>& ids) : ids_(&ids) {}
  explicit id_list(std::string_view joined) : joined_(joined) {}

  bool empty() const { return ids_ ? ids_->empty() : joined_.empty(); }
  template <typename F>
  void for_each(F&& f) const {
    if (ids_) {
      for (const auto& id : *ids_) f(std::string_view(id));
      return;
    }
    for (std::string_view rest = joined_; !rest.empty();) {
      auto space = rest.find(' ');
      f(rest.substr(0, space));
      if (space == std::string_view::npos) break;
      rest.remove_prefix(space + 1);
    }
  }

 private:
  const std::vector<std::string>* ids_ = nullptr;
  std::string_view joined_;
};

// What the graph reads of every migration. The views stay valid as long as
// the source that gave them.
struct migration_links {
  std::string_view revision;
  id_list down_revisions, branch_labels, depends_on;
};

// The links of a migration that is already made.
migration_links links_of(const migration& m);

class migration_source {
 public:
  virtual ~migration_source() = default;
  virtual std::size_t size() const = 0;
  virtual migration_links links(std::size_t index) const = 0;
  // The whole migration: made on first use, then kept (the reference stays
  // valid as long as the source). Not for concurrent use from two threads.
  virtual const migration& at(std::size_t index) const = 0;
};

// A source over migrations already made (parsed files, tests).
class migration_vector_source final : public migration_source {
 public:
  explicit migration_vector_source(std::vector<migration> migrations)
      : migrations_(std::move(migrations)) {}
  std::size_t size() const override { return migrations_.size(); }
  migration_links links(std::size_t index) const override { return links_of(migrations_[index]); }
  const migration& at(std::size_t index) const override { return migrations_[index]; }

 private:
  std::vector<migration> migrations_;
};

}  // namespace migration_tools
