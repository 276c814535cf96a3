// Splits SQL text into statements on PostgreSQL's own scanner (libpg_query):
// comments, strings, E'' escapes, quoted identifiers and dollar quotes exactly
// as the server reads them; like psql, a ';' inside parentheses or inside a
// BEGIN ATOMIC ... END body does not end the statement.
#pragma once

#include <string_view>
#include <vector>

namespace migration_tools {

struct sql_statement {
  std::string_view text;  // from its first token up to, not including, the ';'
  size_t offset = 0;      // of the first token in the input
  int line = 1;           // 1-based line of the first token in the input
};

// Statements that hold only comments or white space are dropped. Text after
// the last ';' counts as a statement of its own.
std::vector<sql_statement> split_sql(std::string_view sql);

// What psql's lexer would read differently from the server: text that an
// offline script must never contain.
struct sql_lexical_problem {
  enum class kind {
    backslash,             // outside a string or comment: a psql meta-command
    unterminated_comment,  // a '/*' never closed
    unterminated_quote,    // a '...', E'...' or "..." never closed
    unterminated_dollar,   // a $tag$ never closed
  };
  kind what;
  size_t offset = 0;  // where the backslash or the opening delimiter is
};
std::vector<sql_lexical_problem> find_lexical_problems(std::string_view sql);
// split_sql() and find_lexical_problems() in one pass over the text.
struct sql_split {
  std::vector<sql_statement> statements;
  std::vector<sql_lexical_problem> problems;
};
sql_split split_sql_with_problems(std::string_view sql);
// What is wrong, for a diagnostic at the problem's line in a migration section.
const char* describe_lexical_problem(sql_lexical_problem::kind what);

}  // namespace migration_tools
