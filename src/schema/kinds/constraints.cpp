// Table constraints: primary key, unique, foreign key, check, exclude, and
// their NOT VALID state. A changed constraint is dropped and added again (a
// constraint that only became valid is validated instead); foreign keys go
// last when adding and first when dropping, and a foreign key that
// references a key being replaced is dropped and added around it.
#include <set>
#include <tuple>

#include "../plan_builder.hpp"
#include "migration_tools/schema/sql_text.hpp"

namespace migration_tools::schema {

namespace {

using constraint_key = std::tuple<std::string, std::string, std::string>;
constraint_key key(const constraint& c) {
  return {c.table.schema, c.table.name, c.name};
}

const char* kind_name(char kind) {
  switch (kind) {
    case 'p':
      return "primary key";
    case 'u':
      return "unique constraint";
    case 'f':
      return "foreign key";
    case 'x':
      return "exclusion constraint";
    default:
      return "check constraint";
  }
}

std::string shown(const constraint& c) {
  return std::string(kind_name(c.kind)) + " '" + c.name + "' on '" + display_name(c.table) + "'";
}

std::string without_not_valid(const std::string& definition) {
  const std::string suffix = " NOT VALID";
  if (definition.size() > suffix.size() &&
      definition.compare(definition.size() - suffix.size(), suffix.size(), suffix) == 0)
    return definition.substr(0, definition.size() - suffix.size());
  return definition;
}

void drop(const constraint& c, plan_builder& out) {
  out.add(
      c.kind == 'f' ? step::drop_foreign_key : step::drop_constraint,
      "ALTER TABLE " + quote_name(c.table) + " DROP CONSTRAINT " + quote_identifier(c.name) + ";",
      {hazard::locks(c.table)});
}

void add(const constraint& c, bool existing_table, bool referenced_exists, plan_builder& out) {
  std::vector<std::string> hazards;
  if (existing_table) {
    hazards.push_back(hazard::locks(c.table));
  }
  // A foreign key also locks the table it references against writes.
  if (c.kind == 'f' && referenced_exists && c.references != c.table)
    hazards.push_back(hazard::locks_writes(c.references));
  if (existing_table) {
    if (c.kind == 'p' || c.kind == 'u' || c.kind == 'x')
      hazards.push_back(hazard::builds_index(c.table));
    else if (c.validated)
      hazards.push_back(hazard::scans(c.table) +
                        " to validate (add it NOT VALID, then VALIDATE CONSTRAINT, to avoid that)");
  }
  out.add(c.kind == 'f' ? step::add_foreign_key : step::add_constraint,
          "ALTER TABLE " + quote_name(c.table) + " ADD CONSTRAINT " + quote_identifier(c.name) +
              " " + c.definition + ";",
          hazards);
}

std::string comment_target(const constraint& c) {
  return "CONSTRAINT " + quote_identifier(c.name) + " ON " + quote_name(c.table);
}

}  // namespace

void diff_constraints(const schema_model& from, const schema_model& to, plan_builder& out) {
  std::set<qualified_name> old_tables, new_tables;
  for (const auto& t : from.tables) old_tables.insert(t.name);
  for (const auto& t : to.tables) new_tables.insert(t.name);
  auto old_ones = by_key(from.constraints, &key);
  auto new_ones = by_key(to.constraints, &key);

  // Keys replaced on a table: foreign keys that reference it must make way.
  std::set<qualified_name> replaced_keys;
  for (const auto& [k, c] : old_ones) {
    auto now = new_ones.find(k);
    bool changed = now == new_ones.end() ||
                   without_not_valid(now->second->definition) != without_not_valid(c->definition);
    if (changed && (c->kind == 'p' || c->kind == 'u') && new_tables.count(c->table))
      replaced_keys.insert(c->table);
  }

  for (const auto& [k, c] : old_ones) {
    if (!new_tables.count(c->table)) {
      // Goes with its table, unless it references another table: dropped
      // tables that reference each other could not be dropped one by one.
      if (c->kind == 'f' && c->references != c->table) drop(*c, out);
      continue;
    }
    auto now = new_ones.find(k);
    if (now == new_ones.end()) {
      drop(*c, out);
      out.detected("removed " + shown(*c));
      continue;
    }
    const constraint& n = *now->second;
    bool same = n.definition == c->definition;
    bool same_but_validity = without_not_valid(n.definition) == without_not_valid(c->definition);
    bool makes_way = c->kind == 'f' && replaced_keys.count(c->references) > 0;
    if (same && !makes_way) {
      comment_statement(comment_target(n), c->comment, n.comment, out);
      continue;
    }
    if (same_but_validity && !makes_way && n.validated && !c->validated) {
      out.add(step::add_constraint,
              "ALTER TABLE " + quote_name(n.table) + " VALIDATE CONSTRAINT " +
                  quote_identifier(n.name) + ";",
              {hazard::scans(n.table)});
      out.detected("validated " + shown(n));
    } else {
      drop(*c, out);
      add(n, true, old_tables.count(n.references) > 0, out);
      if (!same) out.detected("changed " + shown(n));
    }
    comment_statement(comment_target(n), c->comment, n.comment, out);
  }
  for (const auto& [k, c] : new_ones) {
    if (old_ones.count(k)) continue;
    add(*c, old_tables.count(c->table) > 0, old_tables.count(c->references) > 0, out);
    out.detected("added " + shown(*c));
    comment_statement(comment_target(*c), "", c->comment, out);
  }
}

}  // namespace migration_tools::schema
