#include "invalid_index.hpp"

#include "migration_tools/core/statement_tree.hpp"

namespace migration_tools::engine {

void drop_invalid_index_of(pqxx::connection& conn, const sql_statement& statement,
                           const std::function<void(const std::string&)>& say) {
  if (!starts_with_keyword(statement.text, "create")) return;
  auto tree = parse_statement(statement.text);
  if (tree.is_null() || !tree.contains("IndexStmt")) return;
  const auto& index = tree["IndexStmt"];
  if (!index.value("concurrent", false) || !index.contains("idxname")) return;
  const auto& relation = index["relation"];
  std::string schema = relation.value("schemaname", "");
  std::string table = relation.value("relname", "");
  // The index goes to its table's schema; the table is found as the
  // statement finds it (the search path, unless it names a schema).
  pqxx::nontransaction tx(conn);
  auto found = tx.exec_params(
      "SELECT c.oid::pg_catalog.regclass::pg_catalog.text"
      " FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=)"
      " i.indexrelid"
      " WHERE NOT i.indisvalid AND c.relname OPERATOR(pg_catalog.=) $1::pg_catalog.text"
      " AND c.relnamespace OPERATOR(pg_catalog.=) (SELECT t.relnamespace FROM"
      " pg_catalog.pg_class t WHERE t.oid OPERATOR(pg_catalog.=) pg_catalog.to_regclass("
      " CASE WHEN $2::pg_catalog.text OPERATOR(pg_catalog.=) '' THEN ''"
      " ELSE pg_catalog.quote_ident($2::pg_catalog.text) OPERATOR(pg_catalog.||) '.' END"
      " OPERATOR(pg_catalog.||) pg_catalog.quote_ident($3::pg_catalog.text)))",
      index["idxname"].get<std::string>(), schema, table);
  if (found.empty()) return;
  std::string name = found[0][0].as<std::string>();
  say("the index " + name +
      " is INVALID, left by the statement's earlier try: dropping it CONCURRENTLY to build it "
      "again");
  // regclass's text is the name quoted as needed, schema-qualified when it
  // is not on the search path.
  tx.exec0("DROP INDEX CONCURRENTLY IF EXISTS " + name);
}

}  // namespace migration_tools::engine
