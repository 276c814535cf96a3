// Domains: CREATE DOMAIN with its collation, default, NOT NULL and named
// constraints; ALTER DOMAIN for each of those; DROP DOMAIN after the columns
// that used it. A changed base type cannot be altered: a warning.
#include "../plan_builder.hpp"
#include "migration_tools/schema/sql_text.hpp"

namespace migration_tools::schema {

namespace {

qualified_name key(const domain& d) {
  return d.name;
}

const domain_constraint* find(const std::vector<domain_constraint>& cs, const std::string& name) {
  for (const auto& c : cs)
    if (c.name == name) return &c;
  return nullptr;
}

std::string create_statement(const domain& d) {
  std::string sql = "CREATE DOMAIN " + quote_name(d.name) + " AS " + d.base_type;
  if (!d.collation.empty()) sql += " COLLATE " + d.collation;
  if (!d.default_expr.empty()) sql += " DEFAULT " + d.default_expr;
  if (d.not_null) sql += " NOT NULL";
  for (const auto& c : d.constraints)
    sql += "\n    CONSTRAINT " + quote_identifier(c.name) + " " + c.definition;
  return sql + ";";
}

void alter(const domain& from, const domain& to, plan_builder& out) {
  std::string alter = "ALTER DOMAIN " + quote_name(to.name);
  std::string shown = "'" + display_name(to.name) + "'";
  if (from.base_type != to.base_type || from.collation != to.collation) {
    out.warn("the base type of domain " + shown + " changed (" + from.base_type + " -> " +
             to.base_type +
             "): PostgreSQL cannot alter it; move its columns to a new domain "
             "by hand");
    return;
  }
  bool changed = false;
  if (from.default_expr != to.default_expr) {
    out.add(step::alter_column,
            alter + (to.default_expr.empty() ? std::string(" DROP DEFAULT;")
                                             : " SET DEFAULT " + to.default_expr + ";"));
    changed = true;
  }
  if (from.not_null != to.not_null) {
    out.add(step::alter_column, alter + (to.not_null ? " SET NOT NULL;" : " DROP NOT NULL;"),
            to.not_null ? std::vector<std::string>{"scans every column of domain " + shown}
                        : std::vector<std::string>{});
    changed = true;
  }
  for (const auto& c : from.constraints) {
    const auto* now = find(to.constraints, c.name);
    if (now && now->definition == c.definition) continue;
    out.add(step::drop_constraint, alter + " DROP CONSTRAINT " + quote_identifier(c.name) + ";");
    changed = true;
  }
  for (const auto& c : to.constraints) {
    const auto* was = find(from.constraints, c.name);
    if (was && was->definition == c.definition) continue;
    out.add(step::add_constraint,
            alter + " ADD CONSTRAINT " + quote_identifier(c.name) + " " + c.definition + ";",
            {"scans every column of domain " + shown + " to validate"});
    changed = true;
  }
  if (changed) out.detected("changed domain " + shown);
}

}  // namespace

void diff_domains(const schema_model& from, const schema_model& to, plan_builder& out) {
  auto old_ones = by_key(from.domains, &key);
  auto new_ones = by_key(to.domains, &key);
  for (const auto& [name, d] : old_ones)
    if (!new_ones.count(name)) {
      out.add(step::drop_type, "DROP DOMAIN " + quote_name(name) + ";");
      out.detected("removed domain '" + display_name(name) + "'");
    }
  for (const auto& [name, d] : new_ones) {
    auto old = old_ones.find(name);
    if (old == old_ones.end()) {
      out.add(step::create_type, create_statement(*d));
      out.detected("added domain '" + display_name(name) + "'");
    } else {
      alter(*old->second, *d, out);
    }
    comment_statement("DOMAIN " + quote_name(name),
                      old == old_ones.end() ? "" : old->second->comment, d->comment, out);
  }
}

}  // namespace migration_tools::schema
