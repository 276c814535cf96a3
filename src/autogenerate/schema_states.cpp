#include "migration_tools/autogenerate/schema_states.hpp"

#include <pqxx/pqxx>

#include "migration_tools/core/diagnostic.hpp"
#include "migration_tools/core/sql_splitter.hpp"
#include "migration_tools/postgres/errors.hpp"
#include "migration_tools/postgres/scratch_database.hpp"

namespace migration_tools::autogenerate {

namespace {

std::string sqlstate_suffix(const pqxx::sql_error& e) {
  return e.sqlstate().empty() ? "" : " (SQLSTATE " + e.sqlstate() + ")";
}

// Runs the files statement by statement, to find the one that fails.
[[noreturn]] void locate_failure(pqxx::connection& c, const std::vector<declared_file>& files,
                                 const pqxx::sql_error& first) {
  pqxx::work tx(c, "declared_schema_locate");
  tx.exec0("SET LOCAL check_function_bodies = off");
  for (const auto& f : files)
    for (const auto& s : split_sql(f.text)) {
      try {
        tx.exec0(std::string(s.text));
      } catch (const pqxx::sql_error& e) {
        throw migration_file_error(
            {{f.path, s.line, severity::error, postgres_message(e.what()) + sqlstate_suffix(e)}});
      }
    }
  // It failed as a whole but not statement by statement: say so, without a line.
  throw migration_file_error({{files.empty() ? "schema" : files.front().path, 0, severity::error,
                               postgres_message(first.what()) + sqlstate_suffix(first)}});
}

}  // namespace

schema::schema_model load_declared_schema(const std::string& database_url,
                                          const std::vector<declared_file>& files) {
  pqxx::connection c(database_url);
  try {
    pqxx::work tx(c, "declared_schema");
    // As when pg_dump's output is restored: a function body may name a table
    // of a later file.
    tx.exec0("SET LOCAL check_function_bodies = off");
    // One round trip per file: a declared schema of a thousand tables loads
    // in one go; only a failure is looked at statement by statement.
    for (const auto& f : files)
      if (!split_sql(f.text).empty()) tx.exec0(std::string(f.text));
    auto model = inspect_catalog(tx);
    tx.abort();
    return model;
  } catch (const pqxx::broken_connection&) {
    throw;
  } catch (const pqxx::sql_error& e) {
    locate_failure(c, files, e);
  }
}

head_state load_head_state(const head_state_source& source) {
  std::string cached_name;
  if (!source.cache_key.empty()) {
    cached_name = "mt_head_" + source.cache_scope + "_" + source.cache_key;
    pqxx::connection admin(source.server_url);
    pqxx::nontransaction tx(admin);
    bool exists = tx.exec_params(
                        "SELECT pg_catalog.count(*) > 0 FROM pg_catalog.pg_database "
                        "WHERE datname OPERATOR(pg_catalog.=) $1::pg_catalog.name",
                        cached_name)[0][0]
                      .as<bool>();
    if (exists) {
      pqxx::connection cached(with_database(source.server_url, cached_name));
      return {inspect_catalog(cached, source.ignore), true};
    }
  }
  scratch_database scratch(source.server_url);
  source.apply_migrations(scratch.url());
  schema::schema_model model;
  {
    pqxx::connection c(scratch.url());
    model = inspect_catalog(c, source.ignore);
  }
  if (!cached_name.empty()) {
    try {
      pqxx::connection admin(source.server_url);
      pqxx::nontransaction tx(admin);
      // Older states of the same migrations set are of no more use.
      for (const auto& row : tx.exec_params(
               "SELECT datname FROM pg_catalog.pg_database WHERE datname "
               "OPERATOR(pg_catalog.~~) ($1::pg_catalog.text OPERATOR(pg_catalog.||) '%')",
               "mt\\_head\\_" + source.cache_scope + "\\_"))
        tx.exec0("DROP DATABASE IF EXISTS " + admin.quote_name(row[0].c_str()) + " WITH (FORCE)");
      scratch.keep_as(cached_name);
    } catch (const pqxx::sql_error&) {
      // Another runner kept the same state first: this copy is dropped.
    }
  }
  return {std::move(model), false};
}

schema::schema_model load_database(const std::string& url, const inspection_options& ignore) {
  pqxx::connection c(url);
  return inspect_catalog(c, ignore);
}

}  // namespace migration_tools::autogenerate
