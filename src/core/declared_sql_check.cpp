#include "migration_tools/core/declared_sql_check.hpp"


#include "migration_tools/core/sql_splitter.hpp"
#include "migration_tools/core/statement_tree.hpp"
#include "migration_tools/core/text.hpp"

namespace migration_tools {

namespace {

// Transaction control and COPY can only start with one of these words; the
// rest are not handed to the parser (a declared schema of a thousand tables
// is checked in a few milliseconds).
bool may_need_parsing(std::string_view statement) {
  for (auto word : {"commit", "end", "rollback", "abort", "begin", "start", "prepare", "copy",
                    "savepoint", "release"})
    if (starts_with_keyword(statement, word)) return true;
  return false;
}

}  // namespace

void check_declared_sql(const std::string& path, std::string_view text,
                        std::vector<diagnostic>& diagnostics) {
  auto error = [&](size_t offset, std::string message) {
    diagnostics.push_back({path, count_newlines(text, offset) + 1, severity::error,
                           std::move(message)});
  };
  if (auto nul = text.find('\0'); nul != std::string_view::npos)
    return error(nul, "the file contains a NUL byte: a schema file must be a UTF-8 text file");
  auto split = split_sql_with_problems(text);
  for (const auto& p : split.problems) {
    if (p.what == sql_lexical_problem::kind::backslash) continue;  // the server says
    error(p.offset, "a comment, quoted string or dollar quote that is never closed");
  }
  if (!split.problems.empty()) return;
  for (const auto& statement : split.statements) {
    if (!may_need_parsing(statement.text)) continue;
    auto tree = parse_statement(statement.text);
    if (tree.is_null()) continue;
    if (tree.contains("TransactionStmt")) {
      std::string what = transaction_statement_name(tree["TransactionStmt"].value("kind", ""));
      error(statement.offset,
            what + " in a declared schema file: the schema files are loaded in one transaction "
                   "that is rolled back, and " +
                what +
                " would let what follows it outlive the load; a declared schema states what "
                "the database holds, so remove it");
    } else if (tree.contains("CopyStmt")) {
      const auto& copy = tree["CopyStmt"];
      if (copy.value("is_program", false))
        error(statement.offset,
              "COPY with PROGRAM in a declared schema file: it runs a command on the scratch "
              "server's machine, which no rollback undoes; load rows with INSERT");
      else if (copy.contains("filename"))
        error(statement.offset,
              "COPY to or from a server file in a declared schema file: it reads or writes "
              "the scratch server's files, which no rollback undoes; load rows with INSERT");
      else
        error(statement.offset,
              "COPY FROM STDIN or TO STDOUT in a declared schema file: the loader sends no "
              "data and reads none; load rows with INSERT");
    }
  }
}

}  // namespace migration_tools
