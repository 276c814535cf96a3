// Functions and procedures: created early, before the tables whose defaults,
// checks and indexes call them (the migration turns check_function_bodies
// off, as pg_dump does, so a SQL body may name tables created later),
// replaced in place with CREATE OR REPLACE when the result type stays,
// dropped late, after everything that used them.
#include <cctype>
#include <functional>

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

// Whether `text` holds `name` as a word, not inside a longer name (a
// function's or relation's name in a body or a signature).
// `whole_name`: not as the end of a qualified one either (`x.items` does not
// name `items`).
bool mentions(const std::string& text, const std::string& name, bool whole_name = false) {
  if (name.empty()) return false;
  for (size_t at = text.find(name); at != std::string::npos; at = text.find(name, at + 1)) {
    size_t end = at + name.size();
    auto word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
    bool starts = at == 0 || !(word(text[at - 1]) || (whole_name && text[at - 1] == '.'));
    if (starts && (end == text.size() || !word(text[end]))) return true;
  }
  return false;
}

// Whether the function's arguments or result name a relation's row type
// (RETURNS SETOF items, f(row items)): those are checked even with
// check_function_bodies off, so the relation must exist first.
bool names_relation(const function& f, const std::set<std::string>& relations) {
  for (const auto& r : relations)
    if (mentions(f.arguments, r, true) || mentions(f.result, r, true)) return true;
  return false;
}

// The functions of `all` in an order where each comes after those it calls
// (of `all`): the order to create them in; reversed, to drop them in.
std::vector<const function*> callees_first(const std::map<function_key, const function*>& all) {
  std::vector<const function*> out;
  std::set<function_key> placed, visiting;
  std::function<void(const function&)> place = [&](const function& f) {
    auto k = key(f);
    if (placed.count(k) || !visiting.insert(k).second) return;  // done, or a cycle
    for (const auto& [name, arguments] : f.calls)
      if (auto callee = all.find({name.schema, name.name, arguments}); callee != all.end())
        place(*callee->second);
    placed.insert(k);
    out.push_back(&f);
  };
  for (const auto& [k, f] : all) place(*f);
  return out;
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
  // Callers dropped before what they call, callees created before callers.
  auto old_order = callees_first(old_ones);
  for (auto it = old_order.rbegin(); it != old_order.rend(); ++it) {
    const function* f = *it;
    auto now = new_ones.find(key(*f));
    bool replaceable =
        now != new_ones.end() && now->second->kind == f->kind && now->second->result == f->result;
    if (now == new_ones.end() || (!replaceable && now->second->definition != f->definition)) {
      out.add(names_relation(*f, old_relations) ? step::drop_typed_function : step::drop_function,
              "DROP " + kind(*f) + " " + signature(*f) + ";");
      if (now == new_ones.end()) out.detected("removed " + shown(*f));
    }
  }
  // Names the migration drops, and names it creates: a changed body that
  // called a dropped function is replaced before that drop (a SQL-standard
  // body depends on what it calls), when it calls nothing new itself.
  std::vector<std::string> dropped_names, created_names;
  for (const auto& [k, f] : old_ones)
    if (!new_ones.count(k)) dropped_names.push_back(f->name.name);
  for (const auto& [k, f] : new_ones)
    if (!old_ones.count(k)) created_names.push_back(f->name.name);
  for (const auto& t : to.tables)
    if (!old_relations.count(quote_name(t.name))) created_names.push_back(t.name.name);
  for (const auto& v : to.views)
    if (!old_relations.count(quote_name(v.name))) created_names.push_back(v.name.name);
  auto replaced_early = [&](const function& before, const function& after) {
    bool called_dropped = false;
    for (const auto& n : dropped_names)
      called_dropped = called_dropped || mentions(before.definition, n);
    if (!called_dropped) return false;
    for (const auto& n : created_names)
      if (mentions(after.definition, n)) return false;
    return true;
  };
  for (const function* f : callees_first(new_ones)) {
    auto old = old_ones.find(key(*f));
    if (old == old_ones.end() || old->second->definition != f->definition) {
      bool replaceable =
          old != old_ones.end() && old->second->kind == f->kind && old->second->result == f->result;
      step when = names_relation(*f, new_relations)                 ? step::create_typed_function
                  : replaceable && replaced_early(*old->second, *f) ? step::replace_function
                                                                    : step::create_function;
      out.add(when, create_statement(*f));
      out.detected((old == old_ones.end() ? "added " : "changed ") + shown(*f));
      creates = true;
    }
    comment_statement(kind(*f) + " " + signature(*f),
                      old == old_ones.end() ? "" : old->second->comment, f->comment, out);
  }
  if (creates) out.add(step::session, "SET LOCAL check_function_bodies = off;");
}

}  // namespace migration_tools::schema
