#include "migration_tools/core/migration_sql_check.hpp"

#include <algorithm>
#include <string>

#include "migration_tools/core/lint.hpp"
#include "migration_tools/core/sql_splitter.hpp"
#include "migration_tools/core/statement_tree.hpp"
#include "migration_tools/core/text.hpp"

namespace migration_tools {

namespace {

// Only statements starting with one of these words can be what we look for;
// the rest are not handed to the parser (a 10 MB INSERT costs nothing here).
bool may_need_parsing(std::string_view statement) {
  for (auto word :
       {"commit", "end", "rollback", "abort", "begin", "start", "prepare", "copy", "deallocate"})
    if (starts_with_keyword(statement, word)) return true;
  return false;
}

// The TransactionStmt kinds that end or replace the runner's transaction;
// SAVEPOINT, RELEASE and ROLLBACK TO are fine inside one.
const char* transaction_control_name(const std::string& kind) {
  if (kind == "TRANS_STMT_SAVEPOINT" || kind == "TRANS_STMT_RELEASE" ||
      kind == "TRANS_STMT_ROLLBACK_TO")
    return nullptr;
  return transaction_statement_name(kind);
}

class checker {
 public:
  checker(const migration& m, std::vector<diagnostic>& ds, bool check_syntax)
      : m_(m), ds_(ds), check_syntax_(check_syntax) {}

  void lone_carriage_returns(std::string_view file_text) {
    for (size_t i = file_text.find('\r'); i != std::string_view::npos;
         i = file_text.find('\r', i + 1)) {
      if (i + 1 < file_text.size() && file_text[i + 1] == '\n') continue;
      if (i + 1 == file_text.size()) continue;  // a trailing CR is taken as a line end
      error(count_newlines(file_text, i) + 1,
            "a carriage return not followed by a line feed: psql ends a comment there, so an "
            "offline script would run what follows it; save the file with LF or CRLF line "
            "endings");
      return;  // one is enough to say what is wrong with the file
    }
  }

  void section(const sql_section& s, const char* name) {
    if (!s.present) return;
    auto split = split_sql_with_problems(s.text);
    const auto& problems = split.problems;
    for (const auto& p : problems) lexical_problem(s, p);
    // What PostgreSQL's grammar refuses fails here, at its line and column,
    // not when the migration runs (an unclosed quote is said above already).
    if (problems.empty() && check_syntax_)
      if (auto e = find_syntax_error(s.text)) {
        size_t line_start = s.text.rfind('\n', e->offset == 0 ? 0 : e->offset - 1);
        line_start = line_start == std::string::npos || e->offset == 0 ? 0 : line_start + 1;
        ds_.push_back({m_.path, s.first_line + count_newlines(s.text, e->offset), severity::error,
                       e->message + " in the " + name +
                           " section (PostgreSQL 15's grammar, as libpg_query reads it; "
                           "'-- migrate:lint_ignore syntax-error' lets newer syntax through) "
                           "[syntax-error]",
                       static_cast<int>(e->offset - line_start) + 1});
      }
    for (const auto& statement : split.statements) {
      if (!may_need_parsing(statement.text)) continue;
      auto tree = parse_statement(statement.text);
      if (tree.is_null()) continue;
      int line = s.first_line + statement.line - 1;
      if (tree.contains("CopyStmt")) {
        const auto& copy = tree["CopyStmt"];
        if (copy.value("is_from", false) && !copy.contains("filename") &&
            !copy.value("is_program", false))
          error(line, std::string("COPY ... FROM STDIN in the ") + name +
                          " section: the runner has no data to send it, and psql would read "
                          "the offline script's next lines as the data; load rows with "
                          "INSERT, or COPY from a file on the server");
      } else if (tree.contains("DeallocateStmt") && m_.transactional) {
        error(line, std::string("DEALLOCATE in the ") + name +
                        " section of a transactional migration: it would drop the statements "
                        "the runner prepared to record the migration in the same transaction");
      } else if (tree.contains("TransactionStmt") && m_.transactional) {
        const char* what = transaction_control_name(tree["TransactionStmt"].value("kind", ""));
        if (what)
          error(line, std::string(what) + " in the " + name +
                          " section of a transactional migration: the runner runs each "
                          "migration in one transaction with its version row, which " +
                          what +
                          " would end; remove it, or declare '-- migrate:transactional false' "
                          "to run the statements one by one");
      }
    }
  }

 private:
  void lexical_problem(const sql_section& s, const sql_lexical_problem& p) {
    error(s.first_line + count_newlines(s.text, p.offset), describe_lexical_problem(p.what));
  }

  void error(int line, std::string message) {
    ds_.push_back({m_.path, line, severity::error, std::move(message)});
  }

  const migration& m_;
  std::vector<diagnostic>& ds_;
  bool check_syntax_;
};

}  // namespace

void check_migration_sql(const migration& m, std::string_view file_text,
                         std::vector<diagnostic>& diagnostics) {
  auto ignored = lint_ignored_rules(m, file_text);
  checker c(m, diagnostics,
            std::find(ignored.begin(), ignored.end(), "syntax-error") == ignored.end());
  c.lone_carriage_returns(file_text);
  if (m.kind != migration_kind::sql) return;
  c.section(m.upgrade, "upgrade");
  c.section(m.downgrade, "downgrade");
}

}  // namespace migration_tools
