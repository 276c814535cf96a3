// An application that brings its database up to date at start-up, then
// "serves". The migrations are those of add_migrations(app_db), linked in
// through the target app_db::migrations.
//
//   self_migrating DATABASE_URL            migrate on a connection of the migrator's
//   self_migrating --own-connection URL    migrate on the application's own connection
//   self_migrating --fleet URL URL...      migrate each database (a database per tenant)
#include <cstring>
#include <iostream>
#include <pqxx/pqxx>
#include <vector>

#include "app_db/migrations.hpp"

namespace {

// A database per tenant: every one brought up to date, two at a time, each
// reported as it finishes; the application serves only if all of them are.
int migrate_fleet(const std::vector<std::string>& urls) {
  migration_tools::fleet_upgrade_options options;
  options.jobs = 2;
  options.upgrade.log = [](const std::string& line) {
    std::clog << "[migrations] " << line << "\n";
  };
  options.on_target = [](const migration_tools::target_upgrade& t) {
    if (t.ok)
      std::cout << "ok " << t.target << ": applied " << t.report.applied.size()
                << " migration(s)\n";
    else
      std::cout << "failed " << t.target << ": " << t.error << "\n";
  };
  bool all_ok = true;
  for (const auto& t : app_db::migrations().upgrade_all(urls, options)) all_ok = all_ok && t.ok;
  if (!all_ok) return 1;
  std::cout << "serving\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 2 && std::strcmp(argv[1], "--fleet") == 0)
    return migrate_fleet(std::vector<std::string>(argv + 2, argv + argc));
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
