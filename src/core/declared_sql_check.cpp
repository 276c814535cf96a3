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

// The line holding `offset`, without its line break.
std::string_view line_at(std::string_view text, size_t offset) {
  size_t begin = text.rfind('\n', offset);
  begin = begin == std::string_view::npos ? 0 : begin + 1;
  size_t end = text.find('\n', offset);
  if (end == std::string_view::npos) end = text.size();
  return text.substr(begin, end - begin);
}

// pg_dump's `\restrict KEY` / `\unrestrict KEY`: a line of its own.
bool is_restrict_line(std::string_view line) {
  size_t at = line.find_first_not_of(" \t");
  if (at == std::string_view::npos) return false;
  line.remove_prefix(at);
  for (std::string_view word : {"\\restrict", "\\unrestrict"})
    if (line.substr(0, word.size()) == word &&
        (line.size() == word.size() || line[word.size()] == ' ' || line[word.size()] == '\r'))
      return true;
  return false;
}

// Whether a parsed statement acts on an object of the whole server.
bool is_cluster_wide(const nlohmann::json& tree) {
  for (auto kind :
       {"CreateRoleStmt", "AlterRoleStmt", "AlterRoleSetStmt", "DropRoleStmt", "GrantRoleStmt",
        "AlterDatabaseStmt", "AlterDatabaseSetStmt", "AlterDatabaseRefreshCollStmt", "SecLabelStmt",
        "CreateTableSpaceStmt", "AlterTableSpaceOptionsStmt"})
    if (tree.contains(kind)) return true;
  auto shared = [](const std::string& object) {
    return object == "OBJECT_ROLE" || object == "OBJECT_DATABASE" ||
           object == "OBJECT_TABLESPACE" || object == "OBJECT_PARAMETER_ACL";
  };
  if (tree.contains("GrantStmt")) return shared(tree["GrantStmt"].value("objtype", ""));
  if (tree.contains("CommentStmt")) return shared(tree["CommentStmt"].value("objtype", ""));
  if (tree.contains("AlterOwnerStmt"))
    return shared(tree["AlterOwnerStmt"].value("objectType", ""));
  if (tree.contains("RenameStmt")) return shared(tree["RenameStmt"].value("renameType", ""));
  return false;
}

// The cheap test before parsing: only these statements can be cluster-wide.
bool may_touch_cluster(std::string_view statement) {
  bool verb = false;
  for (auto word : {"create", "alter", "drop", "grant", "revoke", "comment", "security"})
    verb = verb || starts_with_keyword(statement, word);
  if (!verb) return false;
  if (starts_with_keyword(statement, "grant") || starts_with_keyword(statement, "revoke") ||
      starts_with_keyword(statement, "security"))
    return true;
  std::string head = to_lower(statement.substr(0, 64));
  for (auto noun : {"role", "user", "group", "database", "tablespace"})
    if (head.find(noun) != std::string::npos) return true;
  return false;
}

}  // namespace

bool declared_sql_touches_cluster(std::string_view text) {
  std::string loaded = declared_sql_text(text);
  for (const auto& statement : split_sql(loaded)) {
    if (!may_touch_cluster(statement.text)) continue;
    auto tree = parse_statement(statement.text);
    if (!tree.is_null() && is_cluster_wide(tree)) return true;
  }
  return false;
}

std::string declared_sql_text(std::string_view text) {
  std::string out(text);
  for (const auto& p : find_lexical_problems(text)) {
    if (p.what != sql_lexical_problem::kind::backslash) continue;
    std::string_view line = line_at(text, p.offset);
    if (!is_restrict_line(line)) continue;
    size_t begin = static_cast<size_t>(line.data() - text.data());
    for (size_t i = begin; i < begin + line.size(); ++i)
      if (out[i] != '\r') out[i] = ' ';
  }
  return out;
}

void check_declared_sql(const std::string& path, std::string_view text,
                        std::vector<diagnostic>& diagnostics) {
  auto error = [&](size_t offset, std::string message) {
    diagnostics.push_back(
        {path, count_newlines(text, offset) + 1, severity::error, std::move(message)});
  };
  if (auto nul = text.find('\0'); nul != std::string_view::npos)
    return error(nul, "the file contains a NUL byte: a schema file must be a UTF-8 text file");
  auto split = split_sql_with_problems(text);
  bool broken = false;
  for (const auto& p : split.problems) {
    if (p.what != sql_lexical_problem::kind::backslash) {
      error(p.offset, "a comment, quoted string or dollar quote that is never closed");
      broken = true;
    } else if (!is_restrict_line(line_at(text, p.offset))) {
      error(p.offset,
            "a psql meta-command (a backslash outside strings and comments): the declared "
            "schema is loaded by the server, not by psql; only pg_dump's \\restrict and "
            "\\unrestrict lines are skipped");
      broken = true;
    }
  }
  if (broken) return;
  for (const auto& statement : split.statements) {
    if (!may_need_parsing(statement.text)) continue;
    auto tree = parse_statement(statement.text);
    if (tree.is_null()) continue;
    if (tree.contains("TransactionStmt")) {
      std::string what = transaction_statement_name(tree["TransactionStmt"].value("kind", ""));
      error(statement.offset,
            what +
                " in a declared schema file: the schema files are loaded in one transaction "
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
