#include "concurrent_statements.hpp"

#include "migration_tools/core/statement_tree.hpp"

namespace migration_tools::engine {

bool waits_without_blocking(const sql_statement& statement) {
  if (!starts_with_keyword(statement.text, "create") &&
      !starts_with_keyword(statement.text, "drop") &&
      !starts_with_keyword(statement.text, "reindex"))
    return false;
  auto tree = parse_statement(statement.text);
  if (tree.is_null()) return false;
  if (tree.contains("IndexStmt")) return tree["IndexStmt"].value("concurrent", false);
  if (tree.contains("DropStmt"))
    return tree["DropStmt"].value("concurrent", false) &&
           tree["DropStmt"].value("removeType", "") == "OBJECT_INDEX";
  if (tree.contains("ReindexStmt"))
    for (const auto& param : tree["ReindexStmt"].value("params", nlohmann::json::array()))
      if (param.contains("DefElem") && param["DefElem"].value("defname", "") == "concurrently")
        return true;
  return false;
}

}  // namespace migration_tools::engine
