// Triggers (not the internal ones of foreign keys): created last, after their
// functions and tables, dropped first; a changed trigger is dropped and
// created again, and so is a trigger on a view that is recreated or on a
// column that is retyped.
#include "../plan_builder.hpp"
#include "migration_tools/schema/sql_text.hpp"

namespace migration_tools::schema {

namespace {

using trigger_key = std::tuple<std::string, std::string, std::string>;
trigger_key key(const trigger& t) {
  return {t.table.schema, t.table.name, t.name};
}

std::string shown(const trigger& t) {
  return "trigger '" + t.name + "' on '" + display_name(t.table) + "'";
}

std::string target(const trigger& t) {
  return "TRIGGER " + quote_identifier(t.name) + " ON " + quote_name(t.table);
}

bool relation_exists(const schema_model& m, const qualified_name& name) {
  for (const auto& t : m.tables)
    if (t.name == name) return true;
  for (const auto& v : m.views)
    if (v.name == name) return true;
  return false;
}

// A trigger on a column that is retyped (or whose enum is recreated):
// PostgreSQL refuses the ALTER while the trigger names it, so the trigger
// is dropped before and created again after, as a view over it is.
bool on_reshaped_column(const trigger& t, const std::set<column_ref>& reshaped) {
  for (const auto& c : t.columns)
    if (reshaped.count({t.table, c})) return true;
  return false;
}

}  // namespace

void diff_triggers(const schema_model& from, const schema_model& to, plan_builder& out) {
  auto old_ones = by_key(from.triggers, &key);
  auto new_ones = by_key(to.triggers, &key);
  const auto& views = out.views_recreated(from, to);
  auto reshaped = reshaped_columns(from, to);
  std::set<trigger_key> around;  // kept, but dropped and created again around a retype
  for (const auto& [k, t] : old_ones) {
    auto now = new_ones.find(k);
    bool changed = now == new_ones.end() || now->second->definition != t->definition;
    if (!changed && relation_exists(to, t->table) && !views.count(t->table) &&
        on_reshaped_column(*t, reshaped))
      around.insert(k);
    // A trigger goes with its table or view.
    if ((!changed && !around.count(k)) || !relation_exists(to, t->table) || views.count(t->table))
      continue;
    out.add(step::drop_trigger, "DROP " + target(*t) + ";", {hazard::locks(t->table)});
    if (now == new_ones.end()) out.detected("removed " + shown(*t));
  }
  for (const auto& [k, t] : new_ones) {
    auto old = old_ones.find(k);
    bool changed = old == old_ones.end() || old->second->definition != t->definition;
    if (changed || views.count(t->table) || around.count(k)) {
      out.add(step::create_trigger, t->definition + ";");
      if (changed) out.detected((old == old_ones.end() ? "added " : "changed ") + shown(*t));
      comment_statement(target(*t), "", t->comment, out);
    } else {
      comment_statement(target(*t), old->second->comment, t->comment, out);
    }
  }
}

}  // namespace migration_tools::schema
