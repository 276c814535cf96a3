// The checksum of what an SQL migration does rather than how it is written:
// PostgreSQL's parse tree of each section (libpg_query, positions left out)
// and the header keys that change how it runs. Whitespace, comments and the
// letter case of keywords do not count; a changed literal, name, statement or
// header key does. Recorded as "m1:<hex>" so that the bookkeeping tells it
// from the textual checksum (plain hex) older rows hold.
#pragma once

#include <string>

#include "migration_tools/core/migration.hpp"

namespace migration_tools {

// "m1:" and 64 hex digits; "" for a C++ migration (its text is its meaning).
std::string migration_meaning_checksum(const migration& m);

// Whether a recorded checksum is of this kind.
bool is_meaning_checksum(std::string_view checksum);

}  // namespace migration_tools
