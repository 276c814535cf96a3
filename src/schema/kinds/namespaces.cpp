// Schemas (namespaces): CREATE SCHEMA, DROP SCHEMA (never CASCADE: the
// objects inside are dropped first by their own generators), comments.
#include "../plan_builder.hpp"
#include "migration_tools/schema/sql_text.hpp"

namespace migration_tools::schema {

namespace {
std::string key(const namespace_def& n) {
  return n.name;
}
}  // namespace

void diff_namespaces(const schema_model& from, const schema_model& to, plan_builder& out) {
  auto old_ones = by_key(from.namespaces, &key);
  auto new_ones = by_key(to.namespaces, &key);
  for (const auto& [name, n] : old_ones)
    if (!new_ones.count(name)) {
      out.add(step::drop_namespace, "DROP SCHEMA " + quote_identifier(name) + ";");
      out.detected("removed schema '" + name + "'");
    }
  for (const auto& [name, n] : new_ones) {
    auto old = old_ones.find(name);
    if (old == old_ones.end()) {
      out.add(step::create_namespace, "CREATE SCHEMA " + quote_identifier(name) + ";");
      out.detected("added schema '" + name + "'");
    }
    std::string before = old == old_ones.end() ? "" : old->second->comment;
    comment_statement("SCHEMA " + quote_identifier(name), before, n->comment, out);
  }
}

}  // namespace migration_tools::schema
