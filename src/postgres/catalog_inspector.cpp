#include "migration_tools/postgres/catalog_inspector.hpp"

#include <algorithm>
#include <unordered_map>

#include "catalog_queries.hpp"
#include "migration_tools/schema/sql_text.hpp"

namespace migration_tools {

namespace {

// The fields of a list the catalog query joined with `separator`; none for "".
std::vector<std::string> split_fields(const std::string& list, char separator) {
  std::vector<std::string> out;
  for (size_t start = 0; start < list.size();) {
    size_t end = list.find(separator, start);
    if (end == std::string::npos) end = list.size();
    out.push_back(list.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

using schema::qualified_name;

std::string text(const pqxx::field& f) {
  return f.is_null() ? "" : f.c_str();
}
bool flag(const pqxx::field& f) {
  return !f.is_null() && f.as<bool>();
}

schema::sequence_options options_at(const pqxx::row& r, int first) {
  schema::sequence_options o;
  o.start = text(r[first]);
  o.increment = text(r[first + 1]);
  o.min_value = text(r[first + 2]);
  o.max_value = text(r[first + 3]);
  o.cache = text(r[first + 4]);
  o.cycle = flag(r[first + 5]);
  return o;
}

bool ignored(const inspection_options& options, const qualified_name& table) {
  return std::find(options.ignored_tables.begin(), options.ignored_tables.end(), table) !=
         options.ignored_tables.end();
}

void read_tables(pqxx::transaction_base& tx, const inspection_options& options,
                 schema::schema_model& m) {
  std::unordered_map<std::string, size_t> by_oid;
  for (const auto& r : tx.exec(catalog_queries::tables)) {
    schema::table t;
    t.name = {text(r[1]), text(r[2])};
    if (ignored(options, t.name)) continue;
    t.unlogged = flag(r[3]);
    t.partition_key = text(r[4]);
    t.partition_parent = {text(r[5]), text(r[6])};
    t.partition_bound = text(r[7]);
    t.comment = text(r[8]);
    t.row_security = flag(r[9]);
    t.force_row_security = flag(r[10]);
    by_oid.emplace(text(r[0]), m.tables.size());
    m.tables.push_back(std::move(t));
  }
  for (const auto& r : tx.exec(catalog_queries::inheritance)) {
    auto it = by_oid.find(text(r[0]));
    if (it != by_oid.end()) m.tables[it->second].inherits.push_back({text(r[1]), text(r[2])});
  }
  for (const auto& r : tx.exec(catalog_queries::columns)) {
    auto it = by_oid.find(text(r[0]));
    if (it == by_oid.end()) continue;
    schema::column c;
    c.name = text(r[1]);
    c.type = text(r[2]);
    c.collation = text(r[3]);
    c.not_null = flag(r[4]);
    c.default_expr = text(r[5]);
    std::string identity = text(r[6]);
    c.identity = identity.empty() ? 0 : identity.front();
    c.generated = text(r[7]);
    c.comment = text(r[8]);
    if (c.identity) c.identity_sequence = options_at(r, 9);
    m.tables[it->second].columns.push_back(std::move(c));
  }
  for (const auto& r : tx.exec(catalog_queries::inherited_not_null))
    if (auto it = by_oid.find(text(r[0])); it != by_oid.end())
      m.tables[it->second].inherited_not_null.push_back(text(r[1]));
}

void read_constraints_and_indexes(pqxx::transaction_base& tx, const inspection_options& options,
                                  schema::schema_model& m) {
  for (const auto& r : tx.exec(catalog_queries::constraints)) {
    schema::constraint c;
    c.table = {text(r[0]), text(r[1])};
    if (ignored(options, c.table)) continue;
    c.name = text(r[2]);
    c.kind = text(r[3]).front();
    c.definition = text(r[4]);
    c.validated = flag(r[5]);
    c.references = {text(r[6]), text(r[7])};
    c.comment = text(r[8]);
    m.constraints.push_back(std::move(c));
  }
  for (const auto& r : tx.exec(catalog_queries::indexes)) {
    schema::index i;
    i.table = {text(r[0]), text(r[1])};
    if (ignored(options, i.table)) continue;
    i.name = {text(r[0]), text(r[2])};
    i.definition = text(r[3]);
    i.comment = text(r[4]);
    m.indexes.push_back(std::move(i));
  }
}

void read_sequences(pqxx::transaction_base& tx, const inspection_options& options,
                    schema::schema_model& m) {
  for (const auto& r : tx.exec(catalog_queries::sequences)) {
    schema::sequence s;
    s.name = {text(r[0]), text(r[1])};
    s.type = text(r[2]);
    s.options = options_at(r, 3);
    s.owner_table = {text(r[9]), text(r[10])};
    s.owner_column = text(r[11]);
    s.comment = text(r[12]);
    if (!s.owner_table.name.empty() && ignored(options, s.owner_table)) continue;
    m.sequences.push_back(std::move(s));
  }
}

void read_views(pqxx::transaction_base& tx, schema::schema_model& m) {
  std::unordered_map<std::string, size_t> by_oid;
  for (const auto& r : tx.exec(catalog_queries::views)) {
    schema::view v;
    v.name = {text(r[1]), text(r[2])};
    v.materialized = flag(r[3]);
    v.definition = text(r[4]);
    v.options = text(r[5]);
    v.check_option = text(r[6]);
    v.comment = text(r[7]);
    by_oid.emplace(text(r[0]), m.views.size());
    m.views.push_back(std::move(v));
  }
  for (const auto& r : tx.exec(catalog_queries::view_dependencies)) {
    auto it = by_oid.find(text(r[0]));
    if (it != by_oid.end())
      m.views[it->second].depends_on.push_back({{text(r[1]), text(r[2])}, text(r[3])});
  }
}

void read_routines(pqxx::transaction_base& tx, schema::schema_model& m) {
  for (const auto& r : tx.exec(catalog_queries::enums)) {
    schema::enum_type e;
    e.name = {text(r[0]), text(r[1])};
    auto labels = r[2].as_array();
    for (auto item = labels.get_next(); item.first != pqxx::array_parser::done;
         item = labels.get_next())
      if (item.first == pqxx::array_parser::string_value) e.values.push_back(item.second);
    e.comment = text(r[3]);
    m.enums.push_back(std::move(e));
  }
  for (const auto& r : tx.exec(catalog_queries::functions)) {
    schema::function f;
    f.name = {text(r[0]), text(r[1])};
    f.arguments = text(r[2]);
    f.kind = text(r[3]).front();
    f.definition = text(r[4]);
    f.result = text(r[5]);
    f.comment = text(r[6]);
    for (const auto& call : split_fields(text(r[7]), '\x1e')) {
      auto parts = split_fields(call, '\x1f');
      if (parts.size() == 3) f.calls.push_back({{parts[0], parts[1]}, parts[2]});
    }
    m.functions.push_back(std::move(f));
  }
  for (const auto& r : tx.exec(catalog_queries::triggers)) {
    schema::trigger t{{text(r[0]), text(r[1])}, text(r[2]), text(r[3]), text(r[4]), {}};
    t.columns = split_fields(text(r[5]), '\n');
    m.triggers.push_back(std::move(t));
  }
}

void read_types(pqxx::transaction_base& tx, schema::schema_model& m) {
  for (const auto& r : tx.exec(catalog_queries::extensions))
    m.extensions.push_back({text(r[0]), text(r[1]), text(r[2]), text(r[3])});
  for (const auto& r : tx.exec(catalog_queries::collations))
    m.collations.push_back({{text(r[0]), text(r[1])}, text(r[2]), text(r[3])});
  std::unordered_map<std::string, size_t> domains, composites;
  for (const auto& r : tx.exec(catalog_queries::domains)) {
    schema::domain d;
    d.name = {text(r[1]), text(r[2])};
    d.base_type = text(r[3]);
    d.collation = text(r[4]);
    d.default_expr = text(r[5]);
    d.not_null = flag(r[6]);
    d.comment = text(r[7]);
    domains.emplace(text(r[0]), m.domains.size());
    m.domains.push_back(std::move(d));
  }
  for (const auto& r : tx.exec(catalog_queries::domain_constraints))
    if (auto it = domains.find(text(r[0])); it != domains.end())
      m.domains[it->second].constraints.push_back({text(r[1]), text(r[2])});
  for (const auto& r : tx.exec(catalog_queries::ranges))
    m.ranges.push_back({{text(r[0]), text(r[1])},
                        text(r[2]),
                        text(r[3]),
                        text(r[4]),
                        text(r[5]),
                        text(r[6]),
                        text(r[7]),
                        text(r[8])});
  for (const auto& r : tx.exec(catalog_queries::composites)) {
    composites.emplace(text(r[0]), m.composites.size());
    m.composites.push_back({{text(r[1]), text(r[2])}, {}, text(r[3])});
  }
  for (const auto& r : tx.exec(catalog_queries::composite_attributes))
    if (auto it = composites.find(text(r[0])); it != composites.end())
      m.composites[it->second].attributes.push_back({text(r[1]), text(r[2]), text(r[3])});
  for (const auto& r : tx.exec(catalog_queries::policies)) {
    schema::policy p;
    p.table = {text(r[0]), text(r[1])};
    p.name = text(r[2]);
    p.permissive = flag(r[3]);
    p.command = text(r[4]);
    p.roles = text(r[5]);
    p.using_expr = text(r[6]);
    p.check_expr = text(r[7]);
    p.comment = text(r[8]);
    m.policies.push_back(std::move(p));
  }
}

}  // namespace

schema::schema_model inspect_catalog(pqxx::transaction_base& tx,
                                     const inspection_options& options) {
  // Every name outside pg_catalog comes out schema-qualified, and only
  // pg_catalog's functions and operators serve the queries below.
  tx.exec0("SET LOCAL search_path TO pg_catalog, pg_temp");
  schema::schema_model m;
  for (const auto& r : tx.exec(catalog_queries::namespaces))
    m.namespaces.push_back({text(r[1]), text(r[2])});
  read_tables(tx, options, m);
  read_constraints_and_indexes(tx, options, m);
  read_sequences(tx, options, m);
  read_views(tx, m);
  read_routines(tx, m);
  read_types(tx, m);
  for (const auto& r : tx.exec(catalog_queries::privileges)) {
    qualified_name relation{text(r[2]), text(r[3])};
    if (!relation.name.empty() && ignored(options, relation)) continue;
    m.privileges.push_back({text(r[0]), text(r[1]), relation, text(r[4]), text(r[5]), flag(r[6])});
  }
  for (const auto& r : tx.exec(catalog_queries::unhandled))
    m.unhandled.push_back({text(r[0]), text(r[1]), text(r[2])});
  m.pinned_namespaces.push_back("public");
  if (!options.ignored_schema.empty() && options.ignored_schema != "public")
    m.pinned_namespaces.push_back(options.ignored_schema);
  if (!options.ignored_schema.empty()) {
    bool in_use = std::any_of(m.tables.begin(), m.tables.end(), [&](const schema::table& t) {
      return t.name.schema == options.ignored_schema;
    });
    if (!in_use) {
      m.namespaces.erase(std::remove_if(m.namespaces.begin(), m.namespaces.end(),
                                        [&](const schema::namespace_def& n) {
                                          return n.name == options.ignored_schema;
                                        }),
                         m.namespaces.end());
      // Its privileges are left out with it: a grant on a schema the model
      // does not hold would be written again by every diff.
      const std::string object = schema::quote_identifier(options.ignored_schema);
      m.privileges.erase(std::remove_if(m.privileges.begin(), m.privileges.end(),
                                        [&](const schema::privilege& p) {
                                          return p.object_kind == "SCHEMA" && p.object == object;
                                        }),
                         m.privileges.end());
    }
  }
  return m;
}

schema::schema_model inspect_catalog(pqxx::connection_base& connection,
                                     const inspection_options& options) {
  pqxx::transaction<pqxx::repeatable_read, pqxx::read_only> tx(connection, "inspect");
  auto m = inspect_catalog(tx, options);
  tx.abort();
  return m;
}

}  // namespace migration_tools
