// The migrations of a runner, from the files embedded in it.
#pragma once

#include <vector>

#include "migration_tools/core/diagnostic.hpp"
#include "migration_tools/core/migration.hpp"
#include "migration_tools/embedded.hpp"

namespace migration_tools::engine {

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

// One file's migration from its embedded header: what parse_migration() gives
// for the same bytes.
migration migration_from_header(const embedded_file& file);

}  // namespace migration_tools::engine
