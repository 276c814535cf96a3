// An application using MigrationTools through its package: a library by its
// namespaced name, and its own migrations through migrate::migrations.
#include <iostream>

#include "migrate/migrations.hpp"
#include "migration_tools/core/checksum.hpp"

int main() {
  std::cout << "checksum " << migration_tools::migration_checksum("select 1;\n") << "\n";
  std::cout << "migrations of " << migrate::runner_config().name << " in "
            << migrate::runner_config().version_table << "\n";
  migration_tools::migrator m = migrate::migrations();
  (void)m;
  return 0;
}
