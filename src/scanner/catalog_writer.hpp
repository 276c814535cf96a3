// Writes what a runner build needs from the scan: the embedding source and a
// CMake fragment listing the C++ migrations.
#pragma once

#include <string>
#include <vector>

#include "migration_tools/core/migration.hpp"
#include "migration_tools/core/source_tree.hpp"

namespace migration_tools::scanner {

struct scanned_file {
  std::string absolute_path;
  std::string display_path;
  long long changed_ns = 0;
  long long size = 0;    // bytes, as parsed
  std::string checksum;  // migration_checksum() of those bytes
  std::string meaning;   // migration_meaning_checksum() of their parse
  migration parsed;
  // Its sections' statements as PostgreSQL's scanner splits them
  // (statement_bounds()), embedded so that the runner does not scan again.
  std::vector<long long> upgrade_statements, downgrade_statements;
  // The copy of exactly the bytes that were parsed, which the runner embeds:
  // the header and the text come from one read, even when the file changes
  // between configure and build.
  std::string snapshot_path;
};

// The C++ source that embeds every file's bytes (with the assembler's .incbin,
// so a 10 MB migration costs no compiler time) and the table that lists them.
std::string embedding_source(const std::string& runner_name, const std::vector<scanned_file>& files,
                             const std::vector<scanned_file>& schema_files = {},
                             const std::vector<walked_directory>& directories = {});

// set(_mt_cpp_files ...) and set(_mt_cpp_revisions ...) for CMake, and
// set(_mt_snapshots ...): every embedded snapshot, migrations and declared
// schema, which the embedding source depends on without its compiler
// knowing (.incbin).
std::string cmake_fragment(const std::vector<scanned_file>& files,
                           const std::vector<scanned_file>& schema_files);

}  // namespace migration_tools::scanner
