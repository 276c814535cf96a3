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
  // Where the server's socket is (or will be); empty before the first start
  // when it is a private directory outside the cluster's folder.
  std::string socket_directory() const;

 private:
  // Creates or checks the socket directory (private to the server's account).
  std::string prepare_socket_directory() const;
  // The file beside the cluster's folder that names a socket directory
  // outside it.
  std::string socket_note() const;
  void initialise() const;
  void start() const;
  void create_database() const;

  std::string directory_;
  std::string database_;
};

}  // namespace migration_tools
