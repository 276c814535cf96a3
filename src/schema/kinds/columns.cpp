// Columns of a table present on both sides: ADD COLUMN, DROP COLUMN and each
// ALTER COLUMN form (type and collation, NOT NULL, default, identity and its
// sequence options); a changed generation expression is a drop and an add,
// since PostgreSQL 15 cannot alter one.
#include "../plan_builder.hpp"
#include "migration_tools/schema/sequence_text.hpp"
#include "migration_tools/schema/sql_text.hpp"

namespace migration_tools::schema {

namespace {

struct column_change {
  const table& t;
  const column& c;
  plan_builder& out;

  std::string alter() const {
    return "ALTER TABLE " + quote_name(t.name) + " ALTER COLUMN " + quote_identifier(c.name);
  }
  std::string shown() const { return "'" + display_name(t.name) + "." + c.name + "'"; }
};

void add_column(const table& t, const column& c, plan_builder& out) {
  std::vector<std::string> hazards{hazard::locks(t.name)};
  if (!c.generated.empty() || c.identity) hazards.push_back(hazard::rewrites(t.name));
  if (c.not_null && c.default_expr.empty() && c.generated.empty() && !c.identity)
    hazards.push_back("fails if " + display_name(t.name) +
                      " has rows: a NOT NULL column without a default");
  out.add(step::add_column,
          "ALTER TABLE " + quote_name(t.name) + " ADD COLUMN " + column_definition(c) + ";",
          hazards);
  out.detected("added column '" + display_name(t.name) + "." + c.name + "'");
}

// Same type, nullability and default: a dropped column that may have been renamed to `c`.
bool same_definition(const column& a, const column& b) {
  return a.type == b.type && a.collation == b.collation && a.not_null == b.not_null &&
         a.default_expr == b.default_expr && a.identity == b.identity && a.generated == b.generated;
}

void drop_column(const table& t, const column& c, const std::vector<const column*>& added,
                 plan_builder& out) {
  std::string hint;
  for (const column* a : added)
    if (same_definition(c, *a)) {
      hint = "possible rename: ALTER TABLE " + quote_name(t.name) + " RENAME COLUMN " +
             quote_identifier(c.name) + " TO " + quote_identifier(a->name) + "; keeps the values";
      break;
    }
  out.add(step::drop_column,
          "ALTER TABLE " + quote_name(t.name) + " DROP COLUMN " + quote_identifier(c.name) + ";",
          {hazard::deletes_data("the values of column " + display_name(t.name) + "." + c.name),
           hazard::locks(t.name)},
          hint);
  out.detected("removed column '" + display_name(t.name) + "." + c.name + "'");
}

void alter_identity(const column_change& x, const column& from) {
  const column& to = x.c;
  if (from.identity == to.identity &&
      (!to.identity || from.identity_sequence == to.identity_sequence))
    return;
  if (!to.identity) {
    x.out.add(step::alter_column, x.alter() + " DROP IDENTITY;", {hazard::locks(x.t.name)});
  } else if (!from.identity) {
    x.out.add(step::alter_column,
              x.alter() + " ADD GENERATED " + (to.identity == 'a' ? "ALWAYS" : "BY DEFAULT") +
                  " AS IDENTITY" + identity_options(to) + ";",
              {hazard::locks(x.t.name)});
  } else {
    std::string sql = x.alter();
    if (from.identity != to.identity)
      sql += std::string(" SET GENERATED ") + (to.identity == 'a' ? "ALWAYS" : "BY DEFAULT");
    if (from.identity_sequence != to.identity_sequence)
      sql +=
          " " + changed_sequence_options_sql(from.identity_sequence, to.identity_sequence, "SET ");
    x.out.add(step::alter_column, sql + ";", {hazard::locks(x.t.name)});
  }
  x.out.detected("changed identity of column " + x.shown());
}

void alter_column(const table& t, const column& from, const column& to, plan_builder& out) {
  column_change x{t, to, out};
  if (from.generated != to.generated) {
    // PostgreSQL 15 has no ALTER COLUMN ... SET EXPRESSION: drop and add again.
    out.add(
        step::drop_column,
        "ALTER TABLE " + quote_name(t.name) + " DROP COLUMN " + quote_identifier(from.name) + ";",
        {hazard::deletes_data("the stored values of column " + display_name(t.name) + "." +
                              from.name + " (computed again by the add)"),
         hazard::locks(t.name)});
    add_column(t, to, out);
    return;
  }
  bool type_changed = from.type != to.type || from.collation != to.collation;
  bool default_changed = from.default_expr != to.default_expr;
  // The old default may not cast to the new type: drop it before, set it after.
  if (default_changed || (type_changed && !from.default_expr.empty())) {
    if (!from.default_expr.empty())
      out.add(step::drop_default, x.alter() + " DROP DEFAULT;", {hazard::locks(t.name)});
  }
  if (type_changed) {
    out.add(step::alter_column,
            x.alter() + " TYPE " + to.type +
                (to.collation.empty() ? "" : " COLLATE " + to.collation) + " USING " +
                quote_identifier(to.name) + "::" + to.type + ";",
            {hazard::rewrites(t.name)});
    if (from.type != to.type)
      out.detected("changed type of column " + x.shown() + " from " + from.type + " to " + to.type);
    else
      out.detected("changed collation of column " + x.shown() + " to " +
                   (to.collation.empty() ? std::string("the type's default") : to.collation));
  }
  if (default_changed || (type_changed && !from.default_expr.empty())) {
    if (!to.default_expr.empty())
      out.add(step::alter_column, x.alter() + " SET DEFAULT " + to.default_expr + ";",
              {hazard::locks(t.name)});
    if (default_changed) out.detected("changed default of column " + x.shown());
  }
  alter_identity(x, from);
  if (from.not_null != to.not_null) {
    if (to.not_null)
      out.add(step::alter_column, x.alter() + " SET NOT NULL;",
              {hazard::locks(t.name), hazard::scans(t.name)});
    else
      out.add(step::alter_column, x.alter() + " DROP NOT NULL;", {hazard::locks(t.name)});
    out.detected(std::string(to.not_null ? "made column " : "made column ") + x.shown() +
                 (to.not_null ? " NOT NULL" : " nullable"));
  }
}

}  // namespace

void diff_columns(const table& from, const table& to, plan_builder& out) {
  std::vector<const column*> added;
  for (const auto& c : to.columns) {
    bool present = false;
    for (const auto& o : from.columns) present = present || o.name == c.name;
    if (!present) added.push_back(&c);
  }
  for (const auto& o : from.columns) {
    const column* now = nullptr;
    for (const auto& c : to.columns)
      if (c.name == o.name) now = &c;
    if (!now) {
      drop_column(from, o, added, out);
      continue;
    }
    alter_column(to, o, *now, out);
    comment_statement("COLUMN " + quote_name(to.name) + "." + quote_identifier(o.name), o.comment,
                      now->comment, out);
  }
  for (const column* c : added) {
    add_column(to, *c, out);
    comment_statement("COLUMN " + quote_name(to.name) + "." + quote_identifier(c->name), "",
                      c->comment, out);
  }
}

}  // namespace migration_tools::schema

namespace migration_tools::schema {

std::set<column_ref> reshaped_columns(const schema_model& from, const schema_model& to) {
  std::set<column_ref> out;
  auto enums = recreated_enums(from, to);
  std::set<std::string> enum_types;
  for (const auto& e : enums) {
    enum_types.insert(quote_name(e));
    enum_types.insert(quote_name(e) + "[]");
  }
  std::map<qualified_name, const table*> after_tables;
  for (const auto& t : to.tables) after_tables.emplace(t.name, &t);
  for (const auto& before : from.tables) {
    auto after = after_tables.find(before.name);
    if (after == after_tables.end()) {
      out.insert({before.name, ""});
      continue;
    }
    std::map<std::string, const column*> now_columns;
    for (const auto& n : after->second->columns) now_columns.emplace(n.name, &n);
    for (const auto& c : before.columns) {
      auto now = now_columns.find(c.name);
      if (now == now_columns.end() || now->second->type != c.type ||
          now->second->collation != c.collation || now->second->generated != c.generated ||
          enum_types.count(c.type))
        out.insert({before.name, c.name});
    }
  }
  return out;
}

}  // namespace migration_tools::schema
