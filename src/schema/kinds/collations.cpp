// Collations: CREATE COLLATION before the types and tables that use one,
// DROP COLLATION once the columns that used it have changed (a collation
// cannot be altered: a changed one is dropped and created again, which
// PostgreSQL refuses while a column still uses it, so that is a warning).
#include "../plan_builder.hpp"
#include "migration_tools/schema/sql_text.hpp"

namespace migration_tools::schema {

namespace {
qualified_name key(const collation& c) {
  return c.name;
}
}  // namespace

void diff_collations(const schema_model& from, const schema_model& to, plan_builder& out) {
  auto old_ones = by_key(from.collations, &key);
  auto new_ones = by_key(to.collations, &key);
  for (const auto& [name, c] : old_ones) {
    auto now = new_ones.find(name);
    if (now == new_ones.end()) {
      // After the columns that used it are retyped (alter_column).
      out.add(step::drop_retyped_type, "DROP COLLATION " + quote_name(name) + ";");
      out.detected("removed collation '" + display_name(name) + "'");
    } else if (now->second->definition != c->definition) {
      out.warn("collation '" + display_name(name) + "' changed (" + c->definition + " -> " +
               now->second->definition +
               "): PostgreSQL cannot alter a collation; create one under a new name and move "
               "the columns to it");
    }
  }
  for (const auto& [name, c] : new_ones) {
    auto old = old_ones.find(name);
    std::string before_comment = old == old_ones.end() ? "" : old->second->comment;
    if (old == old_ones.end()) {
      out.add(step::create_type,
              "CREATE COLLATION " + quote_name(name) + " " + c->definition + ";");
      out.detected("added collation '" + display_name(name) + "'");
    }
    comment_statement("COLLATION " + quote_name(name), before_comment, c->comment, out);
  }
}

}  // namespace migration_tools::schema
