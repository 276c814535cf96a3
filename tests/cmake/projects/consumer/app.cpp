// An application using a MigrationTools library through its package.
#include <iostream>

#include "migration_tools/core/checksum.hpp"

int main() {
  std::cout << "checksum " << migration_tools::migration_checksum("select 1;\n") << "\n";
  return 0;
}
