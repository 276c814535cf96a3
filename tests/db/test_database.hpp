// Fresh databases in the test cluster started by the `postgres` CTest fixture.
#pragma once

#include <pqxx/pqxx>
#include <string>
#include <vector>

namespace migration_tools::test {

// Drops and creates database `name` and returns its URL. Each test case uses
// its own name, so test cases can run in parallel.
std::string fresh_database(const std::string& name);

// The URL of the cluster's `postgres` database (a superuser's): for tests that
// create and drop databases themselves. Creates nothing.
std::string cluster_admin_url();

// Runs a query and returns the first column of each row.
std::vector<std::string> column(const std::string& url, const std::string& query);
bool table_exists(const std::string& url, const std::string& table);

}  // namespace migration_tools::test
