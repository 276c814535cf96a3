#include "migration_tools/core/statement_tree.hpp"

#include <pg_query.h>

#include <cctype>
#include <memory>
#include <string>

namespace migration_tools {

namespace {

struct parse_result_deleter {
  void operator()(PgQueryParseResult* r) const {
    pg_query_free_parse_result(*r);
    delete r;
  }
};

}  // namespace

nlohmann::json parse_statement(std::string_view statement) {
  std::unique_ptr<PgQueryParseResult, parse_result_deleter> result(
      new PgQueryParseResult(pg_query_parse(std::string(statement).c_str())));
  if (result->error || !result->parse_tree) return nullptr;
  auto tree = nlohmann::json::parse(result->parse_tree, nullptr, false);
  if (tree.is_discarded() || !tree.contains("stmts") || tree["stmts"].empty()) return nullptr;
  return tree["stmts"][0]["stmt"];
}

std::optional<sql_syntax_error> find_syntax_error(std::string_view sql) {
  // The parser alone (no JSON of the tree): a 10 MB INSERT costs its parse.
  PgQuerySplitResult result = pg_query_split_with_parser(std::string(sql).c_str());
  std::optional<sql_syntax_error> out;
  if (result.error) {
    // cursorpos counts characters from 1; the offset is in bytes.
    size_t offset = 0;
    for (int chars = 1; offset < sql.size() && chars < result.error->cursorpos; ++chars) {
      ++offset;
      while (offset < sql.size() && (static_cast<unsigned char>(sql[offset]) & 0xC0) == 0x80)
        ++offset;
    }
    out = sql_syntax_error{result.error->message ? result.error->message : "syntax error", offset};
  }
  pg_query_free_split_result(result);
  return out;
}

bool starts_with_keyword(std::string_view text, std::string_view word) {
  if (text.size() < word.size()) return false;
  for (size_t i = 0; i < word.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(text[i])) != word[i]) return false;
  return text.size() == word.size() ||
         !(std::isalnum(static_cast<unsigned char>(text[word.size()])) || text[word.size()] == '_');
}

const char* transaction_statement_name(const std::string& kind) {
  if (kind == "TRANS_STMT_BEGIN" || kind == "TRANS_STMT_START") return "BEGIN";
  if (kind == "TRANS_STMT_COMMIT") return "COMMIT";
  if (kind == "TRANS_STMT_ROLLBACK") return "ROLLBACK";
  if (kind == "TRANS_STMT_PREPARE") return "PREPARE TRANSACTION";
  if (kind == "TRANS_STMT_COMMIT_PREPARED") return "COMMIT PREPARED";
  if (kind == "TRANS_STMT_ROLLBACK_PREPARED") return "ROLLBACK PREPARED";
  if (kind == "TRANS_STMT_SAVEPOINT") return "SAVEPOINT";
  if (kind == "TRANS_STMT_RELEASE") return "RELEASE SAVEPOINT";
  if (kind == "TRANS_STMT_ROLLBACK_TO") return "ROLLBACK TO SAVEPOINT";
  return "transaction control";
}

}  // namespace migration_tools
