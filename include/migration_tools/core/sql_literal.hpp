// SQL string literals as PostgreSQL's own quote_literal writes them: quotes
// doubled, and a text holding a backslash as an E'' literal with the
// backslashes doubled, so that it means the same whatever
// standard_conforming_strings says (a generated comment or default never
// turns into SQL of its own on a server where that setting is off).
#pragma once

#include <string>
#include <string_view>

namespace migration_tools {

// Appends the literal to `out` (offline scripts quote thousands of values).
// Throws usage_error on a NUL byte, which no literal can hold.
void append_sql_literal(std::string& out, std::string_view text);
std::string sql_literal(std::string_view text);

}  // namespace migration_tools
