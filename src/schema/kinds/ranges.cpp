// Range types: CREATE TYPE ... AS RANGE with every option that differs from
// the subtype's defaults (and the multirange's name), DROP TYPE after the
// columns that used it. PostgreSQL cannot alter a range type: a changed one
// is a warning.
#include "../plan_builder.hpp"
#include "migration_tools/schema/sql_text.hpp"

namespace migration_tools::schema {

namespace {

qualified_name key(const range_type& r) {
  return r.name;
}

std::string create_statement(const range_type& r) {
  std::string sql = "CREATE TYPE " + quote_name(r.name) + " AS RANGE (SUBTYPE = " + r.subtype;
  if (!r.subtype_opclass.empty()) sql += ", SUBTYPE_OPCLASS = " + r.subtype_opclass;
  if (!r.collation.empty()) sql += ", COLLATION = " + r.collation;
  if (!r.canonical.empty()) sql += ", CANONICAL = " + r.canonical;
  if (!r.subtype_diff.empty()) sql += ", SUBTYPE_DIFF = " + r.subtype_diff;
  if (!r.multirange.empty()) sql += ", MULTIRANGE_TYPE_NAME = " + r.multirange;
  return sql + ");";
}

}  // namespace

void diff_ranges(const schema_model& from, const schema_model& to, plan_builder& out) {
  auto old_ones = by_key(from.ranges, &key);
  auto new_ones = by_key(to.ranges, &key);
  for (const auto& [name, r] : old_ones)
    if (!new_ones.count(name)) {
      out.add(step::drop_type, "DROP TYPE " + quote_name(name) + ";");
      out.detected("removed range type '" + display_name(name) + "'");
    }
  for (const auto& [name, r] : new_ones) {
    auto old = old_ones.find(name);
    if (old == old_ones.end()) {
      out.add(step::create_type, create_statement(*r));
      out.detected("added range type '" + display_name(name) + "'");
    } else if (create_statement(*old->second) != create_statement(*r)) {
      out.warn("range type '" + display_name(name) +
               "' changed: PostgreSQL cannot alter a range type; create a new one and move its "
               "columns by hand");
    }
    comment_statement("TYPE " + quote_name(name), old == old_ones.end() ? "" : old->second->comment,
                      r->comment, out);
  }
}

}  // namespace migration_tools::schema
