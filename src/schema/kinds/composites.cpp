// Composite types: CREATE TYPE ... AS (...), ALTER TYPE ... ADD, DROP and
// ALTER ATTRIBUTE, DROP TYPE after the columns that used it.
#include "../plan_builder.hpp"
#include "migration_tools/schema/sql_text.hpp"

namespace migration_tools::schema {

namespace {

qualified_name key(const composite_type& c) {
  return c.name;
}

std::string attribute_type(const composite_attribute& a) {
  return a.type + (a.collation.empty() ? "" : " COLLATE " + a.collation);
}

const composite_attribute* find(const composite_type& t, const std::string& name) {
  for (const auto& a : t.attributes)
    if (a.name == name) return &a;
  return nullptr;
}

}  // namespace

void diff_composites(const schema_model& from, const schema_model& to, plan_builder& out) {
  auto old_ones = by_key(from.composites, &key);
  auto new_ones = by_key(to.composites, &key);
  for (const auto& [name, c] : old_ones)
    if (!new_ones.count(name)) {
      out.add(step::drop_type, "DROP TYPE " + quote_name(name) + ";");
      out.detected("removed composite type '" + display_name(name) + "'");
    }
  for (const auto& [name, c] : new_ones) {
    std::string type = quote_name(name);
    auto old = old_ones.find(name);
    if (old == old_ones.end()) {
      std::string list;
      for (const auto& a : c->attributes)
        list += std::string(list.empty() ? "" : ", ") + quote_identifier(a.name) + " " +
                attribute_type(a);
      out.add(step::create_type, "CREATE TYPE " + type + " AS (" + list + ");");
      out.detected("added composite type '" + display_name(name) + "'");
      comment_statement("TYPE " + type, "", c->comment, out);
      continue;
    }
    bool changed = false;
    for (const auto& a : old->second->attributes)
      if (!find(*c, a.name)) {
        out.add(step::alter_type,
                "ALTER TYPE " + type + " DROP ATTRIBUTE " + quote_identifier(a.name) + ";");
        changed = true;
      }
    for (const auto& a : c->attributes) {
      const auto* was = find(*old->second, a.name);
      if (!was)
        out.add(step::alter_type, "ALTER TYPE " + type + " ADD ATTRIBUTE " +
                                      quote_identifier(a.name) + " " + attribute_type(a) + ";");
      else if (attribute_type(*was) != attribute_type(a))
        out.add(step::alter_type, "ALTER TYPE " + type + " ALTER ATTRIBUTE " +
                                      quote_identifier(a.name) + " TYPE " + attribute_type(a) +
                                      ";");
      changed = changed || !was || attribute_type(*was) != attribute_type(a);
    }
    if (changed) out.detected("changed composite type '" + display_name(name) + "'");
    comment_statement("TYPE " + type, old->second->comment, c->comment, out);
  }
}

}  // namespace migration_tools::schema
