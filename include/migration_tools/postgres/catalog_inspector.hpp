// Reads a database's schema from PostgreSQL's catalog into the schema model
// that autogenerate diffs (migration_tools/schema/model.hpp).
#pragma once

#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "migration_tools/schema/model.hpp"

namespace migration_tools {

struct inspection_options {
  // Tables left out (with their columns, constraints, indexes and owned
  // sequences): the runner's bookkeeping tables.
  std::vector<schema::qualified_name> ignored_tables;
  // A schema left out when nothing else is in it: the bookkeeping schema.
  std::string ignored_schema;
};

// Inspects in its own read-only transaction on `connection`.
schema::schema_model inspect_catalog(pqxx::connection_base& connection,
                                     const inspection_options& options = {});
// Inspects inside `tx`, which may hold uncommitted DDL (a declared schema
// loaded in the same transaction). Sets search_path locally to pg_catalog.
schema::schema_model inspect_catalog(pqxx::transaction_base& tx,
                                     const inspection_options& options = {});

}  // namespace migration_tools
