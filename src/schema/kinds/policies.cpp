// Row-level security policies: created after their table, its functions and
// triggers; a changed policy is dropped and created again (ALTER POLICY
// cannot change its command or kind); a policy goes with its table.
#include "../plan_builder.hpp"
#include "migration_tools/schema/sql_text.hpp"

namespace migration_tools::schema {

namespace {

using policy_key = std::tuple<std::string, std::string, std::string>;
policy_key key(const policy& p) {
  return {p.table.schema, p.table.name, p.name};
}

std::string target(const policy& p) {
  return "POLICY " + quote_identifier(p.name) + " ON " + quote_name(p.table);
}

std::string create_statement(const policy& p) {
  std::string sql = "CREATE " + target(p) + " AS " + (p.permissive ? "PERMISSIVE" : "RESTRICTIVE") +
                    " FOR " + p.command + " TO " + p.roles;
  if (!p.using_expr.empty()) sql += " USING (" + p.using_expr + ")";
  if (!p.check_expr.empty()) sql += " WITH CHECK (" + p.check_expr + ")";
  return sql + ";";
}

bool same(const policy& a, const policy& b) {
  return a.permissive == b.permissive && a.command == b.command && a.roles == b.roles &&
         a.using_expr == b.using_expr && a.check_expr == b.check_expr;
}

}  // namespace

void diff_policies(const schema_model& from, const schema_model& to, plan_builder& out) {
  std::set<qualified_name> new_tables;
  for (const auto& t : to.tables) new_tables.insert(t.name);
  auto old_ones = by_key(from.policies, &key);
  auto new_ones = by_key(to.policies, &key);
  auto shown = [](const policy& p) {
    return "policy '" + p.name + "' on '" + display_name(p.table) + "'";
  };
  for (const auto& [k, p] : old_ones) {
    auto now = new_ones.find(k);
    if (now != new_ones.end() && same(*p, *now->second)) continue;
    if (new_tables.count(p->table))
      out.add(step::drop_policy, "DROP " + target(*p) + ";", {hazard::locks(p->table)});
    if (now == new_ones.end()) out.detected("removed " + shown(*p));
  }
  for (const auto& [k, p] : new_ones) {
    auto old = old_ones.find(k);
    bool changed = old == old_ones.end() || !same(*old->second, *p);
    if (changed) {
      out.add(step::create_policy, create_statement(*p));
      out.detected((old == old_ones.end() ? "added " : "changed ") + shown(*p));
    }
    comment_statement(target(*p), changed || old == old_ones.end() ? "" : old->second->comment,
                      p->comment, out);
  }
}

}  // namespace migration_tools::schema
