#include "migration_tools/schema/online.hpp"

#include <set>
#include <string_view>

#include "migration_tools/core/text.hpp"

namespace migration_tools::schema {

namespace {

// "CREATE [UNIQUE] INDEX name ..." -> "CREATE [UNIQUE] INDEX CONCURRENTLY name ...";
// "DROP INDEX name" -> "DROP INDEX CONCURRENTLY name".
std::string concurrently(const std::string& sql) {
  for (const std::string_view prefix : {"CREATE UNIQUE INDEX ", "CREATE INDEX ", "DROP INDEX "})
    if (starts_with(sql, prefix))
      return std::string(prefix) + "CONCURRENTLY " + sql.substr(prefix.size());
  return sql;
}

bool is_index_statement(const std::string& sql) {
  return starts_with(sql, "CREATE UNIQUE INDEX ") || starts_with(sql, "CREATE INDEX ") ||
         starts_with(sql, "DROP INDEX ");
}

const index* find_index(const schema_model& m, const qualified_name& name) {
  for (const auto& i : m.indexes)
    if (i.name == name) return &i;
  return nullptr;
}

}  // namespace

online_split split_for_online(const schema_model& from, const schema_model& to,
                              const online_options& options) {
  online_split out;
  out.intermediate = to;
  // Tables that exist before and after, not partitioned (an index on a
  // partitioned table cannot be built CONCURRENTLY).
  std::set<qualified_name> existing;
  for (const auto& t : from.tables)
    if (t.partition_key.empty())
      for (const auto& n : to.tables)
        if (n.name == t.name && n.partition_key.empty()) existing.insert(t.name);

  if (options.concurrent_indexes) {
    // A foreign key may need a unique index in the change itself.
    std::set<qualified_name> referenced;
    for (const auto& c : to.constraints)
      if (c.kind == 'f') referenced.insert(c.references);
    std::vector<index> kept;
    for (const auto& i : to.indexes) {
      // Only new indexes: a changed one may stand on columns the change
      // drops, and is rebuilt with it.
      bool unique = starts_with(i.definition, "CREATE UNIQUE INDEX ");
      if (!find_index(from, i.name) && existing.count(i.table) &&
          !(unique && referenced.count(i.table))) {
        out.second_needed = true;
        continue;
      }
      kept.push_back(i);
    }
    out.intermediate.indexes = std::move(kept);
  }
  if (options.not_valid) {
    std::set<std::tuple<qualified_name, std::string>> before;
    for (const auto& c : from.constraints) before.insert({c.table, c.name});
    for (auto& c : out.intermediate.constraints) {
      if ((c.kind != 'f' && c.kind != 'c') || !c.validated || !existing.count(c.table) ||
          before.count({c.table, c.name}))
        continue;
      c.definition += " NOT VALID";
      c.validated = false;
      out.second_needed = true;
    }
  }
  return out;
}

std::optional<schema_model> split_enum_additions(const schema_model& from, const schema_model& to) {
  schema_model before = from;
  bool any = false;
  for (auto& e : before.enums)
    for (const auto& n : to.enums) {
      if (n.name != e.name || n.values == e.values) continue;
      // Only additions, in order: the values of `from` keep their order in `to`.
      size_t i = 0;
      for (const auto& v : n.values)
        if (i < e.values.size() && v == e.values[i]) ++i;
      if (i != e.values.size() || n.values.size() <= e.values.size()) continue;
      e.values = n.values;
      any = true;
    }
  if (!any) return std::nullopt;
  return before;
}

schema_diff online_upgrade(const schema_model& intermediate, const schema_model& to) {
  auto d = diff_schemas(intermediate, to);
  for (auto& s : d.statements)
    if (is_index_statement(s.sql)) {
      s.sql = concurrently(s.sql);
      s.hazards = {
          "runs outside a transaction: a build that fails leaves an INVALID index; "
          "drop it (DROP INDEX CONCURRENTLY) before `upgrade --resume`"};
    }
  return d;
}

schema_diff online_downgrade(const schema_model& to, const schema_model& intermediate) {
  auto d = diff_schemas(to, intermediate);
  std::vector<ddl_statement> kept;
  for (auto& s : d.statements)
    if (is_index_statement(s.sql)) {
      s.sql = concurrently(s.sql);
      s.hazards.clear();  // CONCURRENTLY: no lock that stops reads or writes
      kept.push_back(std::move(s));
    }
  d.statements = std::move(kept);
  d.detected.clear();
  return d;
}

}  // namespace migration_tools::schema
