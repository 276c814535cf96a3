// Privileges (GRANT and REVOKE) on tables, views, sequences, schemas,
// functions and procedures, one privilege per statement. Revoked first, as
// a removal; granted last, once every object exists. Objects created or
// recreated by the migration (a view dropped and created again) get theirs
// granted again; a dropped object takes its own along.
#include <set>

#include "../plan_builder.hpp"
#include "migration_tools/schema/sql_text.hpp"

namespace migration_tools::schema {

namespace {

using privilege_key = std::tuple<std::string, std::string, std::string, std::string>;
privilege_key key(const privilege& p) {
  return {p.object_kind, p.object, p.grantee, p.type};
}

std::string on(const privilege& p) {
  // GRANT ... ON TABLE serves views too; schemas and routines say what they are.
  return p.type + " ON " + p.object_kind + " " + p.object;
}

std::string shown(const privilege& p) {
  return p.type + " on " + p.object + " to " + p.grantee;
}

// Every object a privilege can be on, as the catalog query names it.
std::set<std::string> objects(const schema_model& m) {
  std::set<std::string> out;
  for (const auto& t : m.tables) out.insert("TABLE " + quote_name(t.name));
  for (const auto& v : m.views) out.insert("TABLE " + quote_name(v.name));
  for (const auto& s : m.sequences) out.insert("SEQUENCE " + quote_name(s.name));
  for (const auto& n : m.namespaces) out.insert("SCHEMA " + quote_identifier(n.name));
  for (const auto& f : m.functions)
    out.insert(std::string(f.kind == 'p' ? "PROCEDURE " : "FUNCTION ") + quote_name(f.name) + "(" +
               f.arguments + ")");
  return out;
}

}  // namespace

void diff_privileges(const schema_model& from, const schema_model& to, plan_builder& out) {
  const auto& recreated = out.views_recreated(from, to);
  auto before = objects(from), after = objects(to);
  // Objects on both sides and not recreated: only there can a privilege be
  // revoked, or be granted already.
  auto kept = [&](const privilege& p) {
    std::string object = p.object_kind + " " + p.object;
    return before.count(object) && after.count(object) && !recreated.count(p.relation);
  };
  auto old_ones = by_key(from.privileges, &key);
  auto new_ones = by_key(to.privileges, &key);
  for (const auto& [k, p] : old_ones) {
    if (!kept(*p)) continue;  // goes with its object
    auto now = new_ones.find(k);
    if (now == new_ones.end()) {
      out.add(step::revoke, "REVOKE " + on(*p) + " FROM " + p->grantee + ";");
      out.detected("revoked " + shown(*p));
    } else if (p->grantable && !now->second->grantable) {
      out.add(step::revoke, "REVOKE GRANT OPTION FOR " + on(*p) + " FROM " + p->grantee + ";");
      out.detected("revoked the grant option of " + shown(*p));
    }
  }
  for (const auto& [k, p] : new_ones) {
    auto old = old_ones.find(k);
    if (old != old_ones.end() && kept(*p) && (old->second->grantable || !p->grantable)) continue;
    // A new function may be executed by PUBLIC without a grant.
    bool implicit = p->grantee == "PUBLIC" && p->type == "EXECUTE" &&
                    !before.count(p->object_kind + " " + p->object);
    if (implicit) continue;
    out.add(
        step::grant,
        "GRANT " + on(*p) + " TO " + p->grantee + (p->grantable ? " WITH GRANT OPTION" : "") + ";",
        {"changes who may use " + p->object});
    if (old == old_ones.end() || !kept(*p)) out.detected("granted " + shown(*p));
  }
  // A new function comes with EXECUTE for PUBLIC: taken away when `to` has none.
  for (const auto& f : to.functions) {
    std::string kind = f.kind == 'p' ? "PROCEDURE" : "FUNCTION";
    std::string object = quote_name(f.name) + "(" + f.arguments + ")";
    if (before.count(kind + " " + object)) continue;
    if (new_ones.count({kind, object, "PUBLIC", "EXECUTE"})) continue;
    out.add(step::grant, "REVOKE EXECUTE ON " + kind + " " + object + " FROM PUBLIC;");
    out.detected("revoked EXECUTE on " + object + " from PUBLIC");
  }
}

}  // namespace migration_tools::schema
