// What each object kind's generator writes into: statements tagged with the
// step of the migration they belong to, the detected changes and the
// warnings. The steps order removals before additions, dependents before
// what they depend on when removing and after it when adding.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "migration_tools/schema/diff.hpp"

namespace migration_tools::schema {

enum class step : int {
  // Settings of the migration's transaction.
  session,
  // Removals, dependents first.
  revoke,
  drop_policy,
  drop_trigger,
  drop_typed_function,  // a function whose signature names a row type goes before its relation
  drop_view,
  drop_foreign_key,
  drop_index,
  drop_constraint,
  drop_default,     // before the sequences and functions a default uses go
  disown_sequence,  // OWNED BY NONE, before a drop of its old owner would take it along
  drop_column,
  detach_partition,  // before its old parent is dropped (which would take it along), and before
                     // new partitions take over its bounds
  drop_table,
  drop_sequence,
  replace_function,  // a changed body that no longer calls a function dropped next
  drop_function,
  drop_type,
  drop_extension,
  drop_namespace,
  // Additions and alterations, what is depended on first.
  create_namespace,
  create_extension,
  create_type,
  alter_type,       // enums recreated: their columns change type here
  retype_default,   // defaults of those columns, set again
  create_function,  // bodies are not checked (session step), so tables may come later
  create_sequence,
  create_table,
  alter_table,
  add_column,
  alter_column,
  alter_inherited_column,  // NOT NULL of a column a parent gives, once the parent's has changed
  own_sequence,            // OWNED BY, once the owning column exists
  renumber,                // a column's new sequence set past its values (serial <-> identity)
  drop_retyped_type,  // a type whose columns stay, retyped above: dropped once they no longer use
                      // it
  add_constraint,
  create_index,
  create_partition_index,  // a partition's own index, after its parent's: created first, one on the
                           // same columns would be taken as the parent's index on that partition
  add_foreign_key,
  create_view,
  create_view_index,      // indexes of materialized views
  create_typed_function,  // a function whose signature names a new table's or view's row type
  create_trigger,
  create_policy,
  grant,
  comment,
};

class plan_builder {
 public:
  void add(step s, std::string sql, std::vector<std::string> hazards = {}, std::string hint = {});
  void detected(std::string line) { detected_.push_back(std::move(line)); }
  void warn(std::string line) { warnings_.push_back(std::move(line)); }
  void refuse(std::string line) { refusals_.push_back(std::move(line)); }
  // The statements by step; within a step in the order they were added.
  schema_diff finish();
  // recreated_views(from, to), which several kinds ask: computed once per
  // diff (a builder serves one pair of models).
  const std::set<qualified_name>& views_recreated(const schema_model& from, const schema_model& to);

 private:
  std::optional<std::set<qualified_name>> views_recreated_;
  std::multimap<int, ddl_statement> statements_;
  std::vector<std::string> detected_;
  std::vector<std::string> warnings_;
  std::vector<std::string> refusals_;
};

// What a reviewer is told about a statement.
namespace hazard {
std::string deletes_data(const std::string& what);
std::string locks(const qualified_name& table);
// SHARE ROW EXCLUSIVE: what a new foreign key takes on the table it references.
std::string locks_writes(const qualified_name& table);
std::string rewrites(const qualified_name& table);
std::string scans(const qualified_name& table);
std::string builds_index(const qualified_name& table);
}  // namespace hazard

// Objects of a vector by a key, for matching the two sides of a diff.
template <class T, class Key>
std::map<Key, const T*> by_key(const std::vector<T>& items, Key (*key)(const T&)) {
  std::map<Key, const T*> out;
  for (const auto& item : items) out.emplace(key(item), &item);
  return out;
}

// One generator per object kind (src/schema/kinds/), each adding what turns
// `from`'s objects of its kind into `to`'s.
void diff_namespaces(const schema_model& from, const schema_model& to, plan_builder& out);
void diff_tables(const schema_model& from, const schema_model& to, plan_builder& out);
// `enum_types`: the enum types of both sides as columns name them
// (quote_name), for a column moved from one enum to another (a cast through
// text).
void diff_columns(const table& from, const table& to, const std::set<std::string>& enum_types,
                  plan_builder& out);
// A column as CREATE TABLE and ADD COLUMN write it.
std::string column_definition(const column& c);
// " (START WITH 10 ...)" for an identity column whose sequence differs from the defaults, else "".
std::string identity_options(const column& c);
void diff_constraints(const schema_model& from, const schema_model& to, plan_builder& out);
void diff_indexes(const schema_model& from, const schema_model& to, plan_builder& out);
void diff_sequences(const schema_model& from, const schema_model& to, plan_builder& out);
void diff_enums(const schema_model& from, const schema_model& to, plan_builder& out);
void diff_views(const schema_model& from, const schema_model& to, plan_builder& out);
void diff_functions(const schema_model& from, const schema_model& to, plan_builder& out);
void diff_triggers(const schema_model& from, const schema_model& to, plan_builder& out);
void diff_extensions(const schema_model& from, const schema_model& to, plan_builder& out);
void diff_collations(const schema_model& from, const schema_model& to, plan_builder& out);
void diff_domains(const schema_model& from, const schema_model& to, plan_builder& out);
void diff_ranges(const schema_model& from, const schema_model& to, plan_builder& out);
void diff_composites(const schema_model& from, const schema_model& to, plan_builder& out);
void diff_policies(const schema_model& from, const schema_model& to, plan_builder& out);
void diff_privileges(const schema_model& from, const schema_model& to, plan_builder& out);
void diff_unhandled(const schema_model& from, const schema_model& to, plan_builder& out);

// Columns whose values are rewritten in place (type or collation changed, or
// their enum type recreated) or that go away: views over them must be
// dropped before and created again after.
std::set<column_ref> reshaped_columns(const schema_model& from, const schema_model& to);
// Views (plain and materialized) on both sides that are dropped and created
// again; their indexes and triggers go with them.
std::set<qualified_name> recreated_views(const schema_model& from, const schema_model& to);
// Enums whose values were removed or reordered: recreated, not altered.
std::set<qualified_name> recreated_enums(const schema_model& from, const schema_model& to);

// `COMMENT ON <what> IS ...;` when the comment changed (NULL when it went away).
void comment_statement(const std::string& what, const std::string& from, const std::string& to,
                       plan_builder& out);

}  // namespace migration_tools::schema
