#include "test_database.hpp"

#include <cstdlib>
#include <stdexcept>

#include "process.hpp"

namespace migration_tools::test {

namespace {

std::string env(const char* name) {
  const char* v = std::getenv(name);
  if (!v || !*v)
    throw std::runtime_error(std::string(name) +
                             " is not set: run the database tests through ctest, which starts "
                             "the PostgreSQL fixture");
  return v;
}

}  // namespace

std::string cluster_admin_url() {
  auto r = run_process({PG_CLUSTER_SCRIPT, "url", env("MIGRATION_TOOLS_TEST_PG_DIR"), "postgres"});
  if (r.exit_code != 0) throw std::runtime_error("pg_cluster.sh url failed: " + r.err);
  return r.out.substr(0, r.out.find('\n'));
}

std::string fresh_database(const std::string& name) {
  std::string admin_url = cluster_admin_url();
  pqxx::connection admin(admin_url);
  pqxx::nontransaction tx(admin);
  tx.exec0("DROP DATABASE IF EXISTS " + admin.quote_name(name) + " WITH (FORCE)");
  tx.exec0("CREATE DATABASE " + admin.quote_name(name));
  std::string url = admin_url;
  url.replace(url.find("/postgres?"), 10, "/" + name + "?");
  return url;
}

std::vector<std::string> column(const std::string& url, const std::string& query) {
  pqxx::connection c(url);
  pqxx::nontransaction tx(c);
  std::vector<std::string> out;
  for (const auto& row : tx.exec(query)) out.push_back(row[0].is_null() ? "NULL" : row[0].c_str());
  return out;
}

bool table_exists(const std::string& url, const std::string& table) {
  return column(url, "SELECT to_regclass('" + table + "') IS NOT NULL").at(0) == "t";
}

}  // namespace migration_tools::test
