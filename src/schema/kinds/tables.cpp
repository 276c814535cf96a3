// Tables: CREATE TABLE (plain, UNLOGGED, INHERITS, partitioned, partitions),
// DROP TABLE, and the table-level alterations (logged state, inheritance,
// partition bounds, row-level security, comments). Columns: columns.cpp.
#include <algorithm>
#include <set>

#include "../plan_builder.hpp"
#include "../rename_hints.hpp"
#include "migration_tools/schema/sequence_text.hpp"
#include "migration_tools/schema/sql_text.hpp"

namespace migration_tools::schema {

namespace {

qualified_name key(const table& t) {
  return t.name;
}

std::vector<qualified_name> parents_of(const table& t) {
  std::vector<qualified_name> out = t.inherits;
  if (t.is_partition()) out.push_back(t.partition_parent);
  return out;
}

// Parents before their partitions and children.
std::vector<const table*> parents_first(std::vector<const table*> tables) {
  std::vector<const table*> out;
  std::set<qualified_name> pending;
  for (const auto* t : tables) pending.insert(t->name);
  while (!tables.empty()) {
    auto ready = std::stable_partition(tables.begin(), tables.end(), [&](const table* t) {
      auto parents = parents_of(*t);
      return std::none_of(parents.begin(), parents.end(),
                          [&](const qualified_name& p) { return pending.count(p) > 0; });
    });
    if (ready == tables.begin()) ready = tables.begin() + 1;  // a cycle: cannot happen in a catalog
    for (auto it = tables.begin(); it != ready; ++it) {
      out.push_back(*it);
      pending.erase((*it)->name);
    }
    tables.erase(tables.begin(), ready);
  }
  return out;
}

std::string name_list(const std::vector<qualified_name>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + quote_name(n);
  return out;
}

std::string create_statement(const table& t) {
  std::string sql =
      std::string("CREATE ") + (t.unlogged ? "UNLOGGED " : "") + "TABLE " + quote_name(t.name);
  if (t.is_partition()) {
    sql += " PARTITION OF " + quote_name(t.partition_parent) + " " + t.partition_bound;
  } else {
    sql += " (";
    for (size_t i = 0; i < t.columns.size(); ++i)
      sql += (i ? ",\n    " : "\n    ") + column_definition(t.columns[i]);
    sql += t.columns.empty() ? ")" : "\n)";
    if (!t.inherits.empty()) sql += " INHERITS (" + name_list(t.inherits) + ")";
  }
  if (!t.partition_key.empty()) sql += " PARTITION BY " + t.partition_key;
  return sql + ";";
}

// Same columns (names, types, nullability) in the same order: a rename candidate.
bool same_shape(const table& a, const table& b) {
  if (a.columns.size() != b.columns.size() || a.name.schema != b.name.schema) return false;
  for (size_t i = 0; i < a.columns.size(); ++i) {
    const auto &x = a.columns[i], &y = b.columns[i];
    if (x.name != y.name || x.type != y.type || x.not_null != y.not_null) return false;
  }
  return true;
}

void row_security(const table& from, const table& to, plan_builder& out) {
  std::string t = "ALTER TABLE " + quote_name(to.name);
  if (from.row_security != to.row_security)
    out.add(step::alter_table,
            t + (to.row_security ? " ENABLE" : " DISABLE") + " ROW LEVEL SECURITY;");
  if (from.force_row_security != to.force_row_security)
    out.add(step::alter_table,
            t + (to.force_row_security ? " FORCE" : " NO FORCE") + " ROW LEVEL SECURITY;");
}

const table* find_table(const schema_model& m, const qualified_name& name) {
  for (const auto& t : m.tables)
    if (t.name == name) return &t;
  return nullptr;
}

// Whether `name` is a column of `t` or of one of its parents (recursively).
bool has_column(const schema_model& m, const table& t, const std::string& name, int depth = 0) {
  for (const auto& c : t.columns)
    if (c.name == name) return true;
  if (depth > 100) return false;
  for (const auto& p : t.inherits)
    if (const table* parent = find_table(m, p); parent && has_column(m, *parent, name, depth + 1))
      return true;
  return false;
}

// Every column of `parent`, its own and those of its parents.
std::vector<column> all_columns(const schema_model& m, const table& parent, int depth = 0) {
  std::vector<column> out;
  if (depth > 100) return out;
  for (const auto& p : parent.inherits)
    if (const table* grand = find_table(m, p))
      for (auto& c : all_columns(m, *grand, depth + 1)) out.push_back(std::move(c));
  out.insert(out.end(), parent.columns.begin(), parent.columns.end());
  return out;
}

// The parents a table has its columns from: its partitioned table, or those
// of INHERITS.
std::vector<const table*> parents_in(const schema_model& m, const table& t) {
  std::vector<const table*> out;
  for (const auto& p : parents_of(t))
    if (const table* parent = find_table(m, p)) out.push_back(parent);
  return out;
}

// Whether a parent of `t` in `m` has `column` NOT NULL: a child has it so too.
bool parent_not_null(const schema_model& m, const table& t, const std::string& column) {
  for (const table* parent : parents_in(m, t)) {
    for (const auto& c : all_columns(m, *parent))
      if (c.name == column && c.not_null) return true;
    if (std::find(parent->inherited_not_null.begin(), parent->inherited_not_null.end(), column) !=
        parent->inherited_not_null.end())
      return true;
  }
  return false;
}

bool listed(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

// NOT NULL on the columns a table has from its parents (a partition's own
// NOT NULL, say). A change on the parent reaches its children by itself
// (ALTER TABLE recurses), so a child is altered only where it is to differ
// from what that leaves. `from`: the table before, or null when it is new.
void inherited_not_null(const schema_model& old_model, const schema_model& new_model,
                        const table* from, const table& to, plan_builder& out) {
  bool same_parents = from && parents_of(*from) == parents_of(to);
  if (from && !same_parents) return;  // attached or detached: the attach checks them
  std::set<std::string> seen;
  for (const table* parent : parents_in(new_model, to))
    for (const auto& c : all_columns(new_model, *parent)) {
      if (!seen.insert(c.name).second || has_column(new_model, to, c.name)) continue;
      bool parent_now = parent_not_null(new_model, to, c.name);
      bool left = parent_now;  // a new table: what its parents give it
      if (from) {
        bool parent_before = parent_not_null(old_model, *from, c.name);
        left = parent_before != parent_now ? parent_now : listed(from->inherited_not_null, c.name);
      }
      bool wanted = listed(to.inherited_not_null, c.name);
      if (left == wanted) continue;
      out.add(step::alter_inherited_column,
              "ALTER TABLE " + quote_name(to.name) + " ALTER COLUMN " + quote_identifier(c.name) +
                  (wanted ? " SET NOT NULL;" : " DROP NOT NULL;"),
              wanted ? std::vector<std::string>{hazard::locks(to.name), hazard::scans(to.name)}
                     : std::vector<std::string>{hazard::locks(to.name)});
      out.detected("made column '" + display_name(to.name) + "." + c.name + "'" +
                   (wanted ? " NOT NULL" : " nullable"));
    }
}

// INHERIT needs the child to have the parent's columns already; after NO
// INHERIT the child keeps them as its own. Both are made to match `to`.
void inheritance(const schema_model& old_model, const schema_model& new_model, const table& from,
                 const table& to, plan_builder& out) {
  std::string t = "ALTER TABLE " + quote_name(to.name);
  std::string shown = display_name(to.name);
  for (const auto& p : from.inherits)
    if (std::find(to.inherits.begin(), to.inherits.end(), p) == to.inherits.end()) {
      out.add(step::alter_table, t + " NO INHERIT " + quote_name(p) + ";",
              {hazard::locks(to.name)});
      out.detected("removed inheritance of table '" + shown + "' from '" + display_name(p) + "'");
      const table* parent = find_table(old_model, p);
      if (!parent) continue;
      for (const auto& c : all_columns(old_model, *parent))
        if (!has_column(new_model, to, c.name))
          out.add(step::alter_table, t + " DROP COLUMN " + quote_identifier(c.name) + ";",
                  {hazard::deletes_data("the values of column " + shown + "." + c.name +
                                        ", which came from " + display_name(p))});
    }
  for (const auto& p : to.inherits)
    if (std::find(from.inherits.begin(), from.inherits.end(), p) == from.inherits.end()) {
      if (const table* parent = find_table(new_model, p))
        for (const auto& c : all_columns(new_model, *parent))
          if (!has_column(old_model, from, c.name))
            out.add(step::alter_table, t + " ADD COLUMN " + column_definition(c) + ";",
                    {hazard::locks(to.name)});
      out.add(step::alter_table, t + " INHERIT " + quote_name(p) + ";", {hazard::locks(to.name)});
      out.detected("added inheritance of table '" + shown + "' from '" + display_name(p) + "'");
    }
}

void alter_table(const schema_model& old_model, const schema_model& new_model, const table& from,
                 const table& to, plan_builder& out) {
  std::string t = "ALTER TABLE " + quote_name(to.name);
  std::string shown = display_name(to.name);
  if (from.partition_key != to.partition_key) {
    // Nothing else of the table is diffed: a plan for the rest would assume
    // a key it does not have (its partitions' bounds, its indexes).
    out.refuse("the partition key of table '" + shown + "' changed (" +
               (from.partition_key.empty() ? "not partitioned" : from.partition_key) + " -> " +
               (to.partition_key.empty() ? "not partitioned" : to.partition_key) +
               "): PostgreSQL cannot alter a partition key; create the table under a new name "
               "with the new key in a migration of your own, move the rows, then rename it");
    return;
  }
  if (from.unlogged != to.unlogged) {
    out.add(step::alter_table, t + (to.unlogged ? " SET UNLOGGED;" : " SET LOGGED;"),
            {hazard::rewrites(to.name)});
    out.detected("changed table '" + shown + "' to " + (to.unlogged ? "unlogged" : "logged"));
  }
  if (from.partition_parent != to.partition_parent || from.partition_bound != to.partition_bound) {
    if (from.is_partition())
      out.add(step::detach_partition,
              "ALTER TABLE " + quote_name(from.partition_parent) + " DETACH PARTITION " +
                  quote_name(to.name) + ";",
              {hazard::locks(from.partition_parent)});
    if (to.is_partition())
      out.add(step::alter_table,
              "ALTER TABLE " + quote_name(to.partition_parent) + " ATTACH PARTITION " +
                  quote_name(to.name) + " " + to.partition_bound + ";",
              {hazard::scans(to.name)});
    out.detected("changed the partition bound of table '" + shown + "'");
  }
  inheritance(old_model, new_model, from, to, out);
  inherited_not_null(old_model, new_model, &from, to, out);
  row_security(from, to, out);
  std::set<std::string> enum_types;
  for (const auto* m : {&old_model, &new_model})
    for (const auto& e : m->enums) enum_types.insert(quote_name(e.name));
  // A detached partition keeps the columns it had from its table, as its own
  // now: they are not new.
  table before = from;
  if (from.is_partition() && !to.is_partition())
    if (const table* parent = find_table(old_model, from.partition_parent))
      for (const auto& c : all_columns(old_model, *parent))
        if (!has_column(old_model, from, c.name)) before.columns.push_back(c);
  // A table attached as a partition takes its columns from its new parent:
  // they stay (ATTACH checks they match), they are not dropped.
  table after = to;
  if (to.is_partition() && from.partition_parent != to.partition_parent)
    if (const table* parent = find_table(new_model, to.partition_parent))
      for (const auto& c : all_columns(new_model, *parent))
        if (!has_column(new_model, to, c.name) && has_column(old_model, before, c.name))
          after.columns.push_back(c);
  diff_columns(before, after, enum_types, out);
}

}  // namespace

std::string identity_options(const column& c) {
  std::string options = sequence_options_sql(c.identity_sequence, c.type);
  return options.empty() ? "" : " (" + options + ")";
}

std::string column_definition(const column& c) {
  std::string sql = quote_identifier(c.name) + " " + c.type;
  if (!c.collation.empty()) sql += " COLLATE " + c.collation;
  if (!c.generated.empty()) sql += " GENERATED ALWAYS AS (" + c.generated + ") STORED";
  if (c.identity)
    sql += std::string(" GENERATED ") + (c.identity == 'a' ? "ALWAYS" : "BY DEFAULT") +
           " AS IDENTITY" + identity_options(c);
  if (!c.default_expr.empty()) sql += " DEFAULT " + c.default_expr;
  if (c.not_null) sql += " NOT NULL";
  return sql;
}

void diff_tables(const schema_model& from, const schema_model& to, plan_builder& out) {
  auto old_tables = by_key(from.tables, &key);
  auto new_tables = by_key(to.tables, &key);
  std::vector<const table*> dropped, created;
  for (const auto& [name, t] : old_tables)
    if (!new_tables.count(name)) dropped.push_back(t);
  for (const auto& [name, t] : new_tables)
    if (!old_tables.count(name)) created.push_back(t);

  auto drops = parents_first(dropped);
  // A table with the very same columns is evidence enough of a rename
  // without similar names, but only when neither side has a rival.
  std::vector<std::string> dropped_names, created_names;
  for (const table* t : drops) dropped_names.push_back(display_name(t->name));
  for (const table* t : created) created_names.push_back(display_name(t->name));
  auto renames = rename_pairs(
      dropped_names, created_names,
      [&](size_t i, size_t j) { return same_shape(*drops[i], *created[j]); }, false);
  for (size_t k = drops.size(); k-- > 0;) {
    const table& t = *drops[k];
    std::string hint;
    if (auto renamed = renames.find(k); renamed != renames.end())
      hint = "possible rename: ALTER TABLE " + quote_name(t.name) + " RENAME TO " +
             quote_identifier(created[renamed->second]->name.name) + "; keeps the rows";
    // A partition a foreign key references through its parent cannot be
    // dropped while attached: detached first.
    if (t.is_partition() && find_table(to, t.partition_parent))
      out.add(step::detach_partition,
              "ALTER TABLE " + quote_name(t.partition_parent) + " DETACH PARTITION " +
                  quote_name(t.name) + ";",
              {hazard::locks(t.partition_parent)});
    out.add(step::drop_table, "DROP TABLE " + quote_name(t.name) + ";",
            {hazard::deletes_data("table " + display_name(t.name) + " and all its rows")}, hint);
    out.detected("removed table '" + display_name(t.name) + "'");
  }
  // A table whose partition key changed is refused (alter_table): its new
  // partitions would be bounds of a key it does not have.
  std::set<qualified_name> refused;
  for (const auto& [name, t] : new_tables)
    if (auto old = old_tables.find(name);
        old != old_tables.end() && old->second->partition_key != t->partition_key)
      refused.insert(name);
  for (const table* t : parents_first(created)) {
    if (t->is_partition() && refused.count(t->partition_parent)) {
      refused.insert(t->name);
      continue;
    }
    out.add(step::create_table, create_statement(*t));
    out.detected("added table '" + display_name(t->name) + "'");
    inherited_not_null(from, to, nullptr, *t, out);
    table empty;
    empty.name = t->name;
    row_security(empty, *t, out);
    comment_statement("TABLE " + quote_name(t->name), "", t->comment, out);
    for (const auto& c : t->columns)
      comment_statement("COLUMN " + quote_name(t->name) + "." + quote_identifier(c.name), "",
                        c.comment, out);
  }
  for (const auto& [name, t] : new_tables) {
    auto old = old_tables.find(name);
    if (old == old_tables.end()) continue;
    alter_table(from, to, *old->second, *t, out);
    comment_statement("TABLE " + quote_name(name), old->second->comment, t->comment, out);
  }
}

}  // namespace migration_tools::schema
