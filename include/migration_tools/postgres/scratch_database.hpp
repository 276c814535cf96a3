// Temporary databases on a scratch server (autogenerate's --dev-url or the
// embedded development cluster), where both sides of a diff are
// materialised. A scratch database is dropped when its owner is destroyed,
// and also when the process dies first (Ctrl-C, a kill, a crash): a small
// watcher process, forked at creation, drops it when the runner's end of a
// pipe closes without saying that the runner dropped it itself.
#pragma once

#include <string>

#include "migration_tools/postgres/connection_string.hpp"

namespace migration_tools {

class scratch_database {
 public:
  // Creates an empty database (from template0) on the server of `server_url`,
  // named mt_scratch_<pid>_<random>.
  explicit scratch_database(const std::string& server_url);
  ~scratch_database();
  scratch_database(const scratch_database&) = delete;
  scratch_database& operator=(const scratch_database&) = delete;

  const std::string& name() const { return name_; }
  // A connection string to the database.
  const std::string& url() const { return url_; }

  // Renames the database to `kept_name` and keeps it (no drop at the end);
  // for caching a state as a template. Every connection to it must be closed.
  void keep_as(const std::string& kept_name);

 private:
  void drop() noexcept;
  void tell_watcher(char said) noexcept;
  void finish_watcher() noexcept;

  std::string server_url_;
  std::string name_;
  std::string url_;
  int watcher_pipe_ = -1;  // write end; the watcher drops the database on EOF
  int watcher_pid_ = -1;
  bool kept_ = false;
};

}  // namespace migration_tools
