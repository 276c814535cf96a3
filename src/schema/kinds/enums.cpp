// Enums: CREATE TYPE ... AS ENUM, DROP TYPE, new values with ALTER TYPE ...
// ADD VALUE at their place (BEFORE the next old value), and removed or
// reordered values by a recreate: rename the old type, create the new one,
// move each column over with a cast through text, drop the old type.
#include <algorithm>

#include "../plan_builder.hpp"
#include "migration_tools/schema/sql_text.hpp"

namespace migration_tools::schema {

namespace {

qualified_name key(const enum_type& e) {
  return e.name;
}

// Whether `after` keeps every value of `before` in the same order.
bool only_additions(const std::vector<std::string>& before, const std::vector<std::string>& after) {
  size_t i = 0;
  for (const auto& v : after)
    if (i < before.size() && v == before[i]) ++i;
  if (i != before.size()) return false;
  for (const auto& v : before)
    if (std::count(after.begin(), after.end(), v) != 1) return false;
  return true;
}

std::string value_list(const std::vector<std::string>& values) {
  std::string out;
  for (const auto& v : values) out += (out.empty() ? "" : ", ") + quote_literal(v);
  return out;
}

bool uses_type(const column& c, const qualified_name& type) {
  std::string name = quote_name(type);
  return c.type == name || c.type == name + "[]";
}

// Whether a type (or a relation, which has a row type) of that name exists
// in either model: the old type's temporary name must be free.
bool type_name_taken(const qualified_name& name, const schema_model& a, const schema_model& b) {
  for (const schema_model* m : {&a, &b}) {
    auto has = [&](const auto& list) {
      return std::any_of(list.begin(), list.end(), [&](const auto& o) { return o.name == name; });
    };
    if (has(m->enums) || has(m->domains) || has(m->composites) || has(m->ranges) ||
        has(m->tables) || has(m->views) || has(m->sequences))
      return true;
  }
  return false;
}

// <name>__old, cut to PostgreSQL's 63 bytes at a character boundary (a cut
// inside a UTF-8 sequence would be an invalid name), with a number added
// when the name is taken.
qualified_name temporary_name(const qualified_name& type, const schema_model& a,
                              const schema_model& b) {
  for (int attempt = 1;; ++attempt) {
    std::string suffix = attempt == 1 ? "__old" : "__old" + std::to_string(attempt);
    size_t keep = std::min(type.name.size(), 63 - suffix.size());
    while (keep > 0 && keep < type.name.size() &&
           (static_cast<unsigned char>(type.name[keep]) & 0xC0) == 0x80)
      --keep;
    qualified_name candidate{type.schema, type.name.substr(0, keep) + suffix};
    if (!type_name_taken(candidate, a, b)) return candidate;
  }
}

void recreate(const enum_type& from, const enum_type& to, const schema_model& old_model,
              const schema_model& new_model, plan_builder& out) {
  std::string type = quote_name(to.name);
  std::string old_name = temporary_name(to.name, old_model, new_model).name;
  qualified_name old_type{to.name.schema, old_name};
  out.add(step::alter_type, "ALTER TYPE " + type + " RENAME TO " + quote_identifier(old_name) + ";",
          {}, "");
  out.add(step::alter_type, "CREATE TYPE " + type + " AS ENUM (" + value_list(to.values) + ");");
  for (const auto& t : new_model.tables) {
    const table* before = nullptr;
    for (const auto& o : old_model.tables)
      if (o.name == t.name) before = &o;
    if (!before) continue;
    for (const auto& c : t.columns) {
      auto was = std::find_if(before->columns.begin(), before->columns.end(),
                              [&](const column& o) { return o.name == c.name; });
      if (was == before->columns.end() || !uses_type(*was, from.name) || !uses_type(c, to.name))
        continue;
      std::string alter =
          "ALTER TABLE " + quote_name(t.name) + " ALTER COLUMN " + quote_identifier(c.name);
      bool array = c.type.size() > 2 && c.type.compare(c.type.size() - 2, 2, "[]") == 0;
      if (!was->default_expr.empty())
        out.add(step::drop_default, alter + " DROP DEFAULT;", {hazard::locks(t.name)});
      out.add(step::alter_type,
              alter + " TYPE " + c.type + " USING " + quote_identifier(c.name) + "::text" +
                  (array ? "[]" : "") + "::" + c.type + ";",
              {hazard::rewrites(t.name), "fails if a row of " + display_name(t.name) +
                                             " holds a value the new " + display_name(to.name) +
                                             " does not have"});
      if (!c.default_expr.empty())
        out.add(step::retype_default, alter + " SET DEFAULT " + c.default_expr + ";");
    }
  }
  out.add(step::alter_type, "DROP TYPE " + quote_name(old_type) + ";");
}

// Whether a column of `type` in `from` is still there in `to` (retyped).
bool column_keeps_using(const qualified_name& type, const schema_model& from,
                        const schema_model& to) {
  for (const auto& t : from.tables)
    for (const auto& c : t.columns) {
      if (!uses_type(c, type)) continue;
      for (const auto& n : to.tables)
        if (n.name == t.name)
          for (const auto& nc : n.columns)
            if (nc.name == c.name) return true;
    }
  return false;
}

}  // namespace

std::set<qualified_name> recreated_enums(const schema_model& from, const schema_model& to) {
  std::set<qualified_name> out;
  auto new_ones = by_key(to.enums, &key);
  for (const auto& e : from.enums)
    if (auto now = new_ones.find(e.name);
        now != new_ones.end() && !only_additions(e.values, now->second->values))
      out.insert(e.name);
  return out;
}

void diff_enums(const schema_model& from, const schema_model& to, plan_builder& out) {
  auto old_ones = by_key(from.enums, &key);
  auto new_ones = by_key(to.enums, &key);
  for (const auto& [name, e] : old_ones)
    if (!new_ones.count(name)) {
      // A column that stays but moves off the type is retyped in the
      // alterations: the type goes after that.
      out.add(column_keeps_using(name, from, to) ? step::drop_retyped_type : step::drop_type,
              "DROP TYPE " + quote_name(name) + ";");
      out.detected("removed enum '" + display_name(name) + "'");
    }
  for (const auto& [name, e] : new_ones) {
    auto old = old_ones.find(name);
    if (old == old_ones.end()) {
      out.add(step::create_type,
              "CREATE TYPE " + quote_name(name) + " AS ENUM (" + value_list(e->values) + ");");
      out.detected("added enum '" + display_name(name) + "'");
      comment_statement("TYPE " + quote_name(name), "", e->comment, out);
      continue;
    }
    const auto& before = old->second->values;
    const auto& after = e->values;
    if (before != after) {
      out.detected("changed enum '" + display_name(name) + "' (" + value_list(before) + " -> " +
                   value_list(after) + ")");
      if (!only_additions(before, after)) {
        recreate(*old->second, *e, from, to, out);
        comment_statement("TYPE " + quote_name(name), "", e->comment, out);  // the new type's
        continue;
      } else {
        for (size_t i = 0; i < after.size(); ++i) {
          if (std::find(before.begin(), before.end(), after[i]) != before.end()) continue;
          // Before the next value that already exists, else at the end.
          std::string place;
          for (size_t j = i + 1; j < after.size() && place.empty(); ++j)
            if (std::find(before.begin(), before.end(), after[j]) != before.end())
              place = " BEFORE " + quote_literal(after[j]);
          out.add(step::create_type,
                  "ALTER TYPE " + quote_name(name) + " ADD VALUE " + quote_literal(after[i]) +
                      place + ";",
                  {"the new value " + quote_literal(after[i]) +
                   " cannot be used before this migration commits (PostgreSQL: unsafe use of "
                   "new enum value): a default or a row that uses it belongs in the next "
                   "migration"});
        }
      }
    }
    comment_statement("TYPE " + quote_name(name), old->second->comment, e->comment, out);
  }
}

}  // namespace migration_tools::schema
