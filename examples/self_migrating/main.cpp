// An application that brings its database up to date at start-up, then
// "serves". The migrations are those of add_migrations(app_db), linked in
// through the target app_db::migrations.
//
//   self_migrating DATABASE_URL            migrate on a connection of the migrator's
//   self_migrating --own-connection URL    migrate on the application's own connection
#include <cstring>
#include <iostream>
#include <pqxx/pqxx>

#include "app_db/migrations.hpp"

int main(int argc, char** argv) {
  bool own_connection = argc > 2 && std::strcmp(argv[1], "--own-connection") == 0;
  const char* url = argc > 1 ? argv[argc - 1] : nullptr;
  if (!url || argc > 3) {
    std::cerr << "usage: self_migrating [--own-connection] DATABASE_URL\n";
    return 2;
  }
  try {
    migration_tools::migrator migrations = app_db::migrations();
    migration_tools::upgrade_options options;
    options.log = [](const std::string& line) { std::clog << "[migrations] " << line << "\n"; };

    migration_tools::upgrade_report report;
    if (own_connection) {
      pqxx::connection connection(url);
      for (const auto& m : migrations.pending(connection))
        std::clog << "[migrations] pending: " << m.revision << " " << m.message << "\n";
      report = migrations.upgrade(connection, options);
    } else {
      for (const auto& m : migrations.pending(url))
        std::clog << "[migrations] pending: " << m.revision << " " << m.message << "\n";
      report = migrations.upgrade(url, options);
    }
    std::cout << "applied " << report.applied.size() << " migration(s) in "
              << report.duration.count() << " ms\n";
    for (const auto& m : report.applied)
      std::cout << "  " << m.revision << " (" << m.message << "): " << m.duration.count()
                << " ms\n";
  } catch (const migration_tools::error& e) {
    std::cerr << "self_migrating: the database could not be migrated: " << e.what() << "\n";
    return 1;
  }
  std::cout << "serving\n";
  return 0;
}
