// Functions and procedures: created early, before the tables whose defaults,
// checks and indexes call them (the migration turns check_function_bodies
// off, as pg_dump does, so a SQL body may name tables created later),
// replaced in place with CREATE OR REPLACE when the result type stays,
// dropped late, after everything that used them.
#include <cctype>

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

// Whether the function's arguments or result name a relation's row type
// (RETURNS SETOF items, f(row items)): those are checked even with
// check_function_bodies off, so the relation must exist first.
bool names_relation(const function& f, const std::set<std::string>& relations) {
  for (const auto& r : relations) {
    for (const std::string* text : {&f.arguments, &f.result}) {
      for (size_t at = text->find(r); at != std::string::npos; at = text->find(r, at + 1)) {
        size_t end = at + r.size();
        bool starts = at == 0 || !(std::isalnum(static_cast<unsigned char>((*text)[at - 1])) ||
                                   (*text)[at - 1] == '_' || (*text)[at - 1] == '.');
        bool ends =
            end == text->size() ||
            !(std::isalnum(static_cast<unsigned char>((*text)[end])) || (*text)[end] == '_');
        if (starts && ends) return true;
      }
    }
  }
  return false;
}

std::set<std::string> relations(const schema_model& m) {
  std::set<std::string> out;
  for (const auto& t : m.tables) out.insert(quote_name(t.name));
  for (const auto& v : m.views) out.insert(quote_name(v.name));
  return out;
}

}  // namespace

void diff_functions(const schema_model& from, const schema_model& to, plan_builder& out) {
  auto old_ones = by_key(from.functions, &key);
  auto new_ones = by_key(to.functions, &key);
  auto old_relations = relations(from), new_relations = relations(to);
  bool creates = false;
  for (const auto& [k, f] : old_ones) {
    auto now = new_ones.find(k);
    bool replaceable =
        now != new_ones.end() && now->second->kind == f->kind && now->second->result == f->result;
    if (now == new_ones.end() || (!replaceable && now->second->definition != f->definition)) {
      out.add(names_relation(*f, old_relations) ? step::drop_typed_function : step::drop_function,
              "DROP " + kind(*f) + " " + signature(*f) + ";");
      if (now == new_ones.end()) out.detected("removed " + shown(*f));
    }
  }
  for (const auto& [k, f] : new_ones) {
    auto old = old_ones.find(k);
    if (old == old_ones.end() || old->second->definition != f->definition) {
      out.add(
          names_relation(*f, new_relations) ? step::create_typed_function : step::create_function,
          create_statement(*f));
      out.detected((old == old_ones.end() ? "added " : "changed ") + shown(*f));
      creates = true;
    }
    comment_statement(kind(*f) + " " + signature(*f),
                      old == old_ones.end() ? "" : old->second->comment, f->comment, out);
  }
  if (creates) out.add(step::session, "SET LOCAL check_function_bodies = off;");
}

}  // namespace migration_tools::schema
