// One SQL statement's parse tree from PostgreSQL's own parser (libpg_query,
// the PostgreSQL 15 grammar), for the checks that classify statements.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>

namespace migration_tools {

// The statement's node as libpg_query's JSON (e.g. {"TransactionStmt": {...}}),
// or null when the grammar does not accept it (the server will say why).
nlohmann::json parse_statement(std::string_view statement);

// A syntax error PostgreSQL's grammar finds in `sql` (any number of
// statements): its message and the byte offset it points at.
struct sql_syntax_error {
  std::string message;
  size_t offset = 0;
};
std::optional<sql_syntax_error> find_syntax_error(std::string_view sql);

// Whether the statement begins with `word` (lower case), as a whole word in
// any case: the cheap test before handing a statement to the parser.
bool starts_with_keyword(std::string_view statement, std::string_view word);

// The SQL words of a TransactionStmt's kind ("COMMIT", "SAVEPOINT", ...).
const char* transaction_statement_name(const std::string& kind);

}  // namespace migration_tools
