// Views and materialized views: created in dependency order after the
// tables, dropped before them, and dropped and created again when their
// query or options change, when a column they read changes type or goes
// away, or when a view they read is recreated. Never CASCADE.
#include <algorithm>
#include <functional>

#include "../plan_builder.hpp"
#include "migration_tools/schema/sql_text.hpp"

namespace migration_tools::schema {

namespace {

qualified_name key(const view& v) {
  return v.name;
}

std::string kind(const view& v) {
  return v.materialized ? "MATERIALIZED VIEW" : "VIEW";
}
std::string shown(const view& v) {
  return std::string(v.materialized ? "materialized view" : "view") + " '" + display_name(v.name) +
         "'";
}

// pg_get_viewdef's query without its leading blanks and final ';'.
std::string query_of(const view& v) {
  std::string q = v.definition;
  q.erase(0, q.find_first_not_of(" \n"));
  while (!q.empty() && (q.back() == ';' || q.back() == ' ' || q.back() == '\n')) q.pop_back();
  return q;
}

std::string create_statement(const view& v) {
  std::string sql = "CREATE " + kind(v) + " " + quote_name(v.name);
  if (!v.options.empty()) sql += " WITH (" + v.options + ")";
  sql += " AS\n" + query_of(v);
  if (!v.check_option.empty()) {
    std::string option = v.check_option;
    std::transform(option.begin(), option.end(), option.begin(), ::toupper);
    sql += "\n  WITH " + option + " CHECK OPTION";
  }
  return sql + ";";
}

bool same_view(const view& a, const view& b) {
  return a.materialized == b.materialized && a.definition == b.definition &&
         a.options == b.options && a.check_option == b.check_option;
}

// The views in `names`, each after the views of `names` it reads.
std::vector<const view*> dependency_order(const std::map<qualified_name, const view*>& views,
                                          const std::set<qualified_name>& names) {
  std::vector<const view*> out;
  std::set<qualified_name> done;
  std::function<void(const qualified_name&, int)> visit = [&](const qualified_name& n, int depth) {
    if (done.count(n) || !names.count(n) || depth > 1000) return;
    done.insert(n);
    const view* v = views.at(n);
    for (const auto& d : v->depends_on) visit(d.relation, depth + 1);
    out.push_back(v);
  };
  for (const auto& n : names) visit(n, 0);
  return out;
}

}  // namespace

std::set<qualified_name> recreated_views(const schema_model& from, const schema_model& to) {
  auto old_ones = by_key(from.views, &key);
  auto new_ones = by_key(to.views, &key);
  auto reshaped = reshaped_columns(from, to);
  std::set<qualified_name> out;
  for (const auto& [name, v] : old_ones) {
    auto now = new_ones.find(name);
    if (now == new_ones.end()) continue;
    bool recreate = !same_view(*v, *now->second);
    for (const auto& d : v->depends_on)
      recreate = recreate || reshaped.count(d) > 0 || reshaped.count({d.relation, ""}) > 0;
    if (recreate) out.insert(name);
  }
  // A view that reads a recreated view is recreated too, and so is one that
  // reads a view that goes (dropped, or a table of that name instead).
  for (bool grew = true; grew;) {
    grew = false;
    for (const auto& [name, v] : old_ones) {
      if (out.count(name) || !new_ones.count(name)) continue;
      for (const auto& d : v->depends_on)
        if (out.count(d.relation) || (old_ones.count(d.relation) && !new_ones.count(d.relation))) {
          out.insert(name);
          grew = true;
          break;
        }
    }
  }
  return out;
}

void diff_views(const schema_model& from, const schema_model& to, plan_builder& out) {
  auto old_ones = by_key(from.views, &key);
  auto new_ones = by_key(to.views, &key);
  const auto& recreated = out.views_recreated(from, to);

  std::set<qualified_name> to_drop, to_create;
  for (const auto& [name, v] : old_ones)
    if (!new_ones.count(name) || recreated.count(name)) to_drop.insert(name);
  for (const auto& [name, v] : new_ones)
    if (!old_ones.count(name) || recreated.count(name)) to_create.insert(name);

  auto drops = dependency_order(old_ones, to_drop);
  for (auto it = drops.rbegin(); it != drops.rend(); ++it) {
    const view& v = **it;
    out.add(step::drop_view, "DROP " + kind(v) + " " + quote_name(v.name) + ";",
            v.materialized && !new_ones.count(v.name)
                ? std::vector<std::string>{hazard::deletes_data("the rows of materialized view " +
                                                                display_name(v.name))}
                : std::vector<std::string>{});
    if (!new_ones.count(v.name)) out.detected("removed " + shown(v));
  }
  for (const view* v : dependency_order(new_ones, to_create)) {
    out.add(step::create_view, create_statement(*v),
            v->materialized
                ? std::vector<std::string>{"runs the query of " + shown(*v) + " to fill it"}
                : std::vector<std::string>{});
    auto old = old_ones.find(v->name);
    if (old == old_ones.end())
      out.detected("added " + shown(*v));
    else if (!same_view(*old->second, *v))
      out.detected("changed " + shown(*v));
    comment_statement(kind(*v) + " " + quote_name(v->name), "", v->comment, out);
  }
  for (const auto& [name, v] : new_ones) {
    auto old = old_ones.find(name);
    if (old != old_ones.end() && !to_create.count(name))
      comment_statement(kind(*v) + " " + quote_name(name), old->second->comment, v->comment, out);
  }
}

}  // namespace migration_tools::schema
