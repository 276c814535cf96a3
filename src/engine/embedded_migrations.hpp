// The migrations of a runner, from the files embedded in it.
#pragma once

#include <memory>
#include <vector>

#include "migration_tools/core/diagnostic.hpp"
#include "migration_tools/core/migration.hpp"
#include "migration_tools/core/migration_source.hpp"
#include "migration_tools/embedded.hpp"

namespace migration_tools::engine {

// The runner's migrations for its graph: the links come from the embedded
// headers without copying them, and a migration is made from its header only
// when a command reads it. A file whose header does not match its bytes is
// parsed at once (its problems go to `diagnostics`).
class embedded_migration_source final : public migration_source {
 public:
  embedded_migration_source(const embedded_catalog& catalog, std::vector<diagnostic>& diagnostics);
  std::size_t size() const override { return count_; }
  migration_links links(std::size_t index) const override;
  const migration& at(std::size_t index) const override;

 private:
  const embedded_file* files_;
  std::size_t count_;
  // Made on first use; from the start for a file parsed again.
  mutable std::vector<std::unique_ptr<migration>> made_;
};

// Each file's migration as the scanner parsed it at build time (its embedded
// header), so that starting a runner costs no parsing; a file whose header
// does not match it is parsed again, and its problems go to `diagnostics`.
std::vector<migration> embedded_migrations(const embedded_catalog& catalog,
                                           std::vector<diagnostic>& diagnostics);

// Whether a file's embedded header describes its embedded bytes. The header is
// made at configure time and the bytes embedded at compile time: a file edited
// in between (during a build) has another size, and its header is not used.
// (An edit that keeps the size slips through until the next build, which
// configures again; the test suite checks every header, see below.)
bool header_matches(const embedded_file& file);

// The file's checksum (migration_checksum), from its header when that matches.
std::string embedded_checksum(const embedded_file& file);
// The file's checksum of meaning (migration_meaning_checksum of `m`, its
// parse), from its header when that matches; "" for a C++ migration.
std::string embedded_meaning(const embedded_file& file, const migration& m);

// One file's migration from its embedded header: what parse_migration() gives
// for the same bytes.
migration migration_from_header(const embedded_file& file);

}  // namespace migration_tools::engine
