// Indexes that are not a constraint's own: unique, partial, expression,
// any method, INCLUDE, operator classes: all in pg_get_indexdef's text. A
// changed index is dropped and created again.
#include <set>

#include "../plan_builder.hpp"
#include "migration_tools/schema/sql_text.hpp"

namespace migration_tools::schema {

namespace {

qualified_name key(const index& i) {
  return i.name;
}

std::string shown(const index& i) {
  return "index '" + display_name(i.name) + "' on '" + display_name(i.table) + "'";
}

// pg_get_indexdef writes an index of a partitioned table as "ON ONLY": run
// like that, it would stay invalid with no partition indexed. Created on
// the table, it is built (or attached) on every partition too.
std::string create_sql(const index& i) {
  std::string sql = i.definition;
  if (auto at = sql.find(" ON ONLY "); at != std::string::npos) sql.replace(at, 9, " ON ");
  return sql + ";";
}

void create(const index& i, bool existing_table, bool on_view, bool on_partition,
            plan_builder& out) {
  out.add(on_view        ? step::create_view_index
          : on_partition ? step::create_partition_index
                         : step::create_index,
          create_sql(i),
          existing_table ? std::vector<std::string>{hazard::builds_index(i.table)}
                         : std::vector<std::string>{});
}

void drop(const index& i, plan_builder& out) {
  out.add(step::drop_index, "DROP INDEX " + quote_name(i.name) + ";", {hazard::locks(i.table)});
}

}  // namespace

void diff_indexes(const schema_model& from, const schema_model& to, plan_builder& out) {
  // Tables and materialized views: what indexes are on.
  std::set<qualified_name> old_tables, new_tables, new_views, new_partitions;
  for (const auto& t : from.tables) old_tables.insert(t.name);
  for (const auto& t : to.tables) {
    new_tables.insert(t.name);
    if (t.is_partition()) new_partitions.insert(t.name);
  }
  for (const auto& v : to.views) new_views.insert(v.name);
  // A recreated materialized view comes back without its indexes.
  const auto& recreated = out.views_recreated(from, to);
  auto create_index = [&](const index& i) {
    create(i, old_tables.count(i.table) > 0, new_views.count(i.table) > 0,
           new_partitions.count(i.table) > 0, out);
  };
  auto old_ones = by_key(from.indexes, &key);
  auto new_ones = by_key(to.indexes, &key);
  for (const auto& [name, i] : old_ones) {
    auto now = new_ones.find(name);
    if (now != new_ones.end() && now->second->definition == i->definition) {
      if (recreated.count(i->table)) {
        create_index(*now->second);
        comment_statement("INDEX " + quote_name(name), "", now->second->comment, out);
      } else {
        comment_statement("INDEX " + quote_name(name), i->comment, now->second->comment, out);
      }
      continue;
    }
    // An index of a dropped or recreated table or view goes with it.
    bool relation_stays = new_tables.count(i->table) || new_views.count(i->table);
    if (relation_stays && !recreated.count(i->table)) drop(*i, out);
    if (now == new_ones.end()) {
      if (relation_stays) out.detected("removed " + shown(*i));
      continue;
    }
    create_index(*now->second);
    out.detected("changed " + shown(*now->second));
    comment_statement("INDEX " + quote_name(name), "", now->second->comment, out);
  }
  for (const auto& [name, i] : new_ones) {
    if (old_ones.count(name)) continue;
    create_index(*i);
    out.detected("added " + shown(*i));
    comment_statement("INDEX " + quote_name(name), "", i->comment, out);
  }
}

}  // namespace migration_tools::schema
