// A session-level advisory lock keyed on the version table, so that runners
// deploying at once apply each migration exactly once.
#pragma once

#include <chrono>
#include <functional>
#include <pqxx/pqxx>
#include <string>

namespace migration_tools {

class advisory_lock {
 public:
  // Polls pg_try_advisory_lock (a blocking wait could deadlock with
  // CREATE INDEX CONCURRENTLY); every `report_every` calls `waiting` with a
  // description of the holder. Throws database_error after `timeout`.
  advisory_lock(pqxx::connection& connection, const std::string& key_text,
                std::chrono::milliseconds timeout,
                const std::function<void(const std::string&)>& waiting,
                std::chrono::milliseconds report_every = std::chrono::seconds(5));
  ~advisory_lock();
  advisory_lock(const advisory_lock&) = delete;
  advisory_lock& operator=(const advisory_lock&) = delete;

  static long long key_for(const std::string& key_text);

 private:
  std::string holder();
  pqxx::connection& connection_;
  long long key_;
};

}  // namespace migration_tools
