// Functions and procedures: created early, before the tables whose defaults,
// checks and indexes call them (the migration turns check_function_bodies
// off, as pg_dump does, so a SQL body may name tables created later),
// replaced in place with CREATE OR REPLACE when the result type stays,
// dropped late, after everything that used them.
#include "../plan_builder.hpp"
#include "migration_tools/schema/sql_text.hpp"

namespace migration_tools::schema {

namespace {

using function_key = std::tuple<std::string, std::string, std::string>;
function_key key(const function& f) {
  return {f.name.schema, f.name.name, f.arguments};
}

std::string kind(const function& f) {
  return f.kind == 'p' ? "PROCEDURE" : "FUNCTION";
}
std::string signature(const function& f) {
  return quote_name(f.name) + "(" + f.arguments + ")";
}
std::string shown(const function& f) {
  return std::string(f.kind == 'p' ? "procedure" : "function") + " '" + display_name(f.name) + "(" +
         f.arguments + ")'";
}

// pg_get_functiondef ends with a line break and no ';'.
std::string create_statement(const function& f) {
  std::string sql = f.definition;
  while (!sql.empty() && (sql.back() == '\n' || sql.back() == ' ')) sql.pop_back();
  return sql + ";";
}

}  // namespace

void diff_functions(const schema_model& from, const schema_model& to, plan_builder& out) {
  auto old_ones = by_key(from.functions, &key);
  auto new_ones = by_key(to.functions, &key);
  bool creates = false;
  for (const auto& [k, f] : old_ones) {
    auto now = new_ones.find(k);
    bool replaceable =
        now != new_ones.end() && now->second->kind == f->kind && now->second->result == f->result;
    if (now == new_ones.end() || (!replaceable && now->second->definition != f->definition)) {
      out.add(step::drop_function, "DROP " + kind(*f) + " " + signature(*f) + ";");
      if (now == new_ones.end()) out.detected("removed " + shown(*f));
    }
  }
  for (const auto& [k, f] : new_ones) {
    auto old = old_ones.find(k);
    if (old == old_ones.end() || old->second->definition != f->definition) {
      out.add(step::create_function, create_statement(*f));
      out.detected((old == old_ones.end() ? "added " : "changed ") + shown(*f));
      creates = true;
    }
    comment_statement(kind(*f) + " " + signature(*f),
                      old == old_ones.end() ? "" : old->second->comment, f->comment, out);
  }
  if (creates) out.add(step::session, "SET LOCAL check_function_bodies = off;");
}

}  // namespace migration_tools::schema
