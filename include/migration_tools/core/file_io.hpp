// Whole-file reads and writes.
#pragma once

#include <string>

namespace migration_tools {

// Throws migration_tools::error naming the path when the file can't be read.
std::string read_file(const std::string& path);
// Writes only when the content differs, so that build tools see no change otherwise.
// Returns true when the file was written.
bool write_file_if_different(const std::string& path, const std::string& content);
// Writes atomically (temporary file + rename); throws on failure.
void write_file(const std::string& path, const std::string& content);
// Creates the directory and its missing parents; throws naming the path on failure.
void make_directories(const std::string& path);

}  // namespace migration_tools
