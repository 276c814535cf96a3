// Schemas (namespaces): CREATE SCHEMA, DROP SCHEMA (never CASCADE: the
// objects inside are dropped first by their own generators), comments.
// public and the bookkeeping schema are never created nor dropped
// (schema_model::pinned_namespaces): one side holding no table there is not
// a reason to.
#include <algorithm>

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
  auto pinned = [&](const std::string& name) {
    for (const auto* m : {&from, &to})
      if (std::find(m->pinned_namespaces.begin(), m->pinned_namespaces.end(), name) !=
          m->pinned_namespaces.end())
        return true;
    return false;
  };
  for (const auto& [name, n] : old_ones)
    if (!new_ones.count(name) && !pinned(name)) {
      out.add(step::drop_namespace, "DROP SCHEMA " + quote_identifier(name) + ";");
      out.detected("removed schema '" + name + "'");
    }
  for (const auto& [name, n] : new_ones) {
    auto old = old_ones.find(name);
    if (old == old_ones.end()) {
      if (pinned(name)) continue;
      out.add(step::create_namespace, "CREATE SCHEMA " + quote_identifier(name) + ";");
      out.detected("added schema '" + name + "'");
    }
    std::string before = old == old_ones.end() ? "" : old->second->comment;
    comment_statement("SCHEMA " + quote_identifier(name), before, n->comment, out);
  }
}

}  // namespace migration_tools::schema
