// Checksums of migration files, stable across line-ending conventions.
#pragma once

#include <string>
#include <string_view>

namespace migration_tools {

// Lower-case hex SHA-256 of the file with a leading UTF-8 BOM removed and
// CRLF turned into LF, so that a checkout on another platform is no "edit".
std::string migration_checksum(std::string_view file_text);

}  // namespace migration_tools
