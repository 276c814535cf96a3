// The embedded development database: a PostgreSQL cluster under the build
// tree, created and started on first use with the system's initdb and pg_ctl,
// reachable on a Unix socket only, and left running until `dev-db stop`.
#pragma once

#include <string>

namespace migration_tools {

class dev_database {
 public:
  // `directory` holds the cluster; `database` is created in it on first use.
  dev_database(std::string directory, std::string database);

  // Creates and starts the cluster when needed, creates the database, and
  // returns its URL. Safe when several runners start at once.
  std::string ensure_running();
  bool running() const;
  // Stops the server; returns false when it was not running.
  bool stop();
  std::string url() const;
  const std::string& directory() const { return directory_; }
  std::string data_directory() const { return directory_ + "/data"; }
  std::string socket_directory() const;

 private:
  void initialise() const;
  void start() const;
  void create_database() const;

  std::string directory_;
  std::string database_;
};

}  // namespace migration_tools
