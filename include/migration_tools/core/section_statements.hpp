// The statements of a migration's section: as the build's scanner split them
// when the runner embeds the file, else split now (sql_splitter.hpp).
#pragma once

#include <vector>

#include "migration_tools/core/migration.hpp"
#include "migration_tools/core/sql_splitter.hpp"

namespace migration_tools {

// Views into section.text, which must outlive them.
std::vector<sql_statement> section_statements(const sql_section& section);

// Both at once.
sql_split section_split(const sql_section& section);

// What psql would read differently from the server in the section (none in a
// section the build scanned: the scanner refuses them at configure time).
std::vector<sql_lexical_problem> section_lexical_problems(const sql_section& section);

// The three numbers per statement that embedded_section and
// sql_section::known_statements hold.
std::vector<long long> statement_bounds(const std::vector<sql_statement>& statements);

}  // namespace migration_tools
