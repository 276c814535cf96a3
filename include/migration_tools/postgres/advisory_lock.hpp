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

  // The same lock for one transaction (pg_try_advisory_xact_lock, polled
  // the same way), for a connection pooler in transaction mode, where a
  // session's lock would stay on a server connection other clients get.
  // Session and transaction locks of the same key exclude each other.
  static void take_for_transaction(
      pqxx::transaction_base& tx, const std::string& key_text, std::chrono::milliseconds timeout,
      const std::function<void(const std::string&)>& waiting,
      std::chrono::milliseconds report_every = std::chrono::seconds(5));

 private:
  // Who holds the lock of `key`: pid, application_name, since when.
  static std::string holder(pqxx::transaction_base& tx, long long key);
  pqxx::connection& connection_;
  long long key_;
};

}  // namespace migration_tools
