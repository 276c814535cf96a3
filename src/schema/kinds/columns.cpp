// Columns of a table present on both sides: ADD COLUMN, DROP COLUMN and each
// ALTER COLUMN form (type and collation, NOT NULL, default, identity and its
// sequence options); a changed generation expression is a drop and an add,
// since PostgreSQL 15 cannot alter one, but a generated column made plain
// keeps its values (DROP EXPRESSION).
#include <algorithm>

#include "../plan_builder.hpp"
#include "../rename_hints.hpp"
#include "../type_change.hpp"
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

void drop_column(const table& t, const column& c, const column* renamed_to, plan_builder& out) {
  std::string hint;
  if (renamed_to)
    hint = "possible rename: ALTER TABLE " + quote_name(t.name) + " RENAME COLUMN " +
           quote_identifier(c.name) + " TO " + quote_identifier(renamed_to->name) +
           "; keeps the values";
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
    // A removal: before a sequence of the same name (a serial's, back) is created.
    x.out.add(step::drop_default, x.alter() + " DROP IDENTITY;", {hazard::locks(x.t.name)});
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

bool starts_with_nextval(const std::string& expr) {
  return expr.rfind("nextval(", 0) == 0;
}

// The USING cast of a retype: through text from one enum to another (no
// cast exists between two enums), else straight.
std::string retype_cast(const column& from, const column& to,
                        const std::set<std::string>& enum_types) {
  auto element = [](const std::string& type) {
    bool array = type.size() > 2 && type.compare(type.size() - 2, 2, "[]") == 0;
    return std::make_pair(array ? type.substr(0, type.size() - 2) : type, array);
  };
  auto [from_element, from_array] = element(from.type);
  auto [to_element, to_array] = element(to.type);
  std::string column = quote_identifier(to.name);
  if (from_array == to_array && enum_types.count(from_element) && enum_types.count(to_element))
    return column + "::text" + (to_array ? "[]" : "") + "::" + to.type;
  return column + "::" + to.type;
}

std::string replace_placeholder(std::string text, const std::string& value) {
  return text.replace(text.find("{}"), 2, value);
}

void alter_column(const table& t, const column& from, const column& to,
                  const std::set<std::string>& enum_types, plan_builder& out) {
  column_change x{t, to, out};
  if (!from.generated.empty() && to.generated.empty() && from.type == to.type &&
      from.collation == to.collation) {
    // A generated column made plain keeps its values (PostgreSQL 13 and later).
    out.add(step::alter_column, x.alter() + " DROP EXPRESSION;", {hazard::locks(t.name)});
    out.detected("made column " + x.shown() + " a plain column");
    column plain = from;
    plain.generated.clear();
    return alter_column(t, plain, to, enum_types, out);
  }
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
  // An identity that gives way to a default goes before the default comes.
  bool dropping_identity = from.identity && !to.identity;
  if (dropping_identity) alter_identity(x, from);
  bool type_changed = from.type != to.type || from.collation != to.collation;
  bool default_changed = from.default_expr != to.default_expr;
  // The old default may not cast to the new type: drop it before, set it
  // after. A default changed alone is one SET DEFAULT, which replaces it.
  bool drop_default_first =
      !from.default_expr.empty() && (type_changed || (default_changed && to.default_expr.empty()));
  if (drop_default_first)
    out.add(step::drop_default, x.alter() + " DROP DEFAULT;", {hazard::locks(t.name)});
  if (type_changed) {
    // A collation change alone rewrites nothing either, but indexes on the
    // column are rebuilt: counted as a rewrite.
    auto effect = from.type == to.type ? type_change_effect{}
                                       : classify_type_change(from.type, to.type,
                                                              display_name(t.name) + "." + to.name);
    std::vector<std::string> hazards;
    if (!effect.data_hazard.empty()) hazards.push_back(effect.data_hazard);
    hazards.push_back(effect.rewrites ? hazard::rewrites(t.name) : hazard::locks(t.name));
    if (effect.checks) hazards.push_back(hazard::scans(t.name));
    out.add(
        step::alter_column,
        x.alter() + " TYPE " + to.type + (to.collation.empty() ? "" : " COLLATE " + to.collation) +
            (effect.assignment_cast && from.collation == to.collation
                 ? std::string()
                 : " USING " +
                       (effect.conversion.empty()
                            ? retype_cast(from, to, enum_types)
                            : replace_placeholder(effect.conversion, quote_identifier(to.name)))) +
            ";",
        hazards);
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
  // NOT NULL comes before an identity is added (PostgreSQL requires it), and
  // goes after one is dropped.
  if (!from.not_null && to.not_null) {
    out.add(step::alter_column, x.alter() + " SET NOT NULL;",
            {hazard::locks(t.name), hazard::scans(t.name)});
    out.detected("made column " + x.shown() + " NOT NULL");
  }
  if (!dropping_identity) alter_identity(x, from);
  // serial to identity and back: the new sequence starts at 1, so it is set
  // past the values the column holds (its old sequence is gone by now).
  bool to_serial = starts_with_nextval(to.default_expr) && !starts_with_nextval(from.default_expr);
  if ((to.identity && !from.identity) || (to_serial && from.identity)) {
    std::string column = quote_identifier(to.name);
    std::string body = "PERFORM pg_catalog.setval(pg_catalog.pg_get_serial_sequence(" +
                       quote_literal(quote_name(t.name)) + ", " + quote_literal(to.name) +
                       "), COALESCE(pg_catalog.max(" + column + "), 0) + 1, false) FROM " +
                       quote_name(t.name) + ";";
    // A DO block: a statement that returns no row, online and in psql.
    std::string tag = "$mt$";
    while (body.find(tag) != std::string::npos) tag.insert(tag.size() - 1, "_");
    out.add(step::renumber, "DO " + tag + "BEGIN " + body + " END" + tag + ";");
  }
  if (from.not_null && !to.not_null) {
    out.add(step::alter_column, x.alter() + " DROP NOT NULL;", {hazard::locks(t.name)});
    out.detected("made column " + x.shown() + " nullable");
  }
}

}  // namespace

void diff_columns(const table& from, const table& to, const std::set<std::string>& enum_types,
                  plan_builder& out) {
  std::vector<const column*> added;
  for (const auto& c : to.columns) {
    bool present = false;
    for (const auto& o : from.columns) present = present || o.name == c.name;
    if (!present) added.push_back(&c);
  }
  std::vector<const column*> dropped;
  for (const auto& o : from.columns)
    if (std::none_of(to.columns.begin(), to.columns.end(),
                     [&](const column& c) { return c.name == o.name; }))
      dropped.push_back(&o);
  std::vector<std::string> dropped_names, added_names;
  for (const column* c : dropped) dropped_names.push_back(c->name);
  for (const column* c : added) added_names.push_back(c->name);
  auto renames = rename_pairs(dropped_names, added_names, [&](size_t i, size_t j) {
    return same_definition(*dropped[i], *added[j]);
  });
  for (size_t i = 0; i < dropped.size(); ++i) {
    auto renamed = renames.find(i);
    drop_column(from, *dropped[i], renamed == renames.end() ? nullptr : added[renamed->second],
                out);
  }
  for (const auto& o : from.columns) {
    const column* now = nullptr;
    for (const auto& c : to.columns)
      if (c.name == o.name) now = &c;
    if (!now) continue;
    alter_column(to, o, *now, enum_types, out);
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
