#include "migration_tools/postgres/advisory_lock.hpp"

#include <cstdio>
#include <thread>

#include "migration_tools/postgres/errors.hpp"

namespace migration_tools {

namespace {

// Polls `try_lock` until it succeeds, reporting the holder every
// `report_every`; throws database_error naming the holder after `timeout`.
void poll_lock(const std::function<bool()>& try_lock, const std::function<std::string()>& holder,
               std::chrono::milliseconds timeout,
               const std::function<void(const std::string&)>& waiting,
               std::chrono::milliseconds report_every) {
  auto start = std::chrono::steady_clock::now();
  auto next_report = start + report_every;
  auto pause = std::chrono::milliseconds(5);
  for (;;) {
    if (try_lock()) return;
    auto now = std::chrono::steady_clock::now();
    if (now - start >= timeout) {
      char waited[32];
      std::snprintf(waited, sizeof waited, "%.1f", static_cast<double>(timeout.count()) / 1000.0);
      throw database_error(std::string("gave up waiting for the migration lock after ") + waited +
                           " s (--lock-wait); it is held by " + holder());
    }
    if (now >= next_report) {
      waiting(holder());
      next_report = now + report_every;
    }
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::milliseconds(200));
  }
}

}  // namespace

advisory_lock::advisory_lock(pqxx::connection& connection, const std::string& key_text,
                             std::chrono::milliseconds timeout,
                             const std::function<void(const std::string&)>& waiting,
                             std::chrono::milliseconds report_every)
    : connection_(connection), key_(key_for(key_text)) {
  poll_lock(
      [this] {
        pqxx::nontransaction tx(connection_);
        return tx
            .exec_params("SELECT pg_catalog.pg_try_advisory_lock($1::pg_catalog.int8)", key_)[0][0]
            .as<bool>();
      },
      [this] {
        pqxx::nontransaction tx(connection_);
        return holder(tx, key_);
      },
      timeout, waiting, report_every);
}

void advisory_lock::take_for_transaction(pqxx::transaction_base& tx, const std::string& key_text,
                                         std::chrono::milliseconds timeout,
                                         const std::function<void(const std::string&)>& waiting,
                                         std::chrono::milliseconds report_every) {
  long long key = key_for(key_text);
  // Each try is a statement of its own in the open transaction, which holds
  // no snapshot between them (READ COMMITTED), so waiting blocks no one.
  poll_lock(
      [&] {
        return tx
            .exec_params("SELECT pg_catalog.pg_try_advisory_xact_lock($1::pg_catalog.int8)",
                         key)[0][0]
            .as<bool>();
      },
      [&] { return holder(tx, key); }, timeout, waiting, report_every);
}

advisory_lock::~advisory_lock() {
  try {
    pqxx::nontransaction tx(connection_);
    tx.exec_params("SELECT pg_catalog.pg_advisory_unlock($1::pg_catalog.int8)", key_);
  } catch (...) {
    // The connection is gone, and the session's lock with it.
  }
}

std::string advisory_lock::holder(pqxx::transaction_base& tx, long long key) {
  auto r = tx.exec_params(
      "SELECT a.pid, coalesce(nullif(a.application_name, ''), '(no application_name)'),"
      " coalesce(pg_catalog.to_char(a.backend_start, 'YYYY-MM-DD HH24:MI:SS TZ'), '?')"
      " FROM pg_catalog.pg_locks l JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid"
      " WHERE l.locktype = 'advisory' AND l.granted"
      "   AND l.classid = (($1::pg_catalog.int8 OPERATOR(pg_catalog.>>) 32)"
      "     OPERATOR(pg_catalog.&) 4294967295)::pg_catalog.oid"
      "   AND l.objid = ($1::pg_catalog.int8 OPERATOR(pg_catalog.&) 4294967295)::pg_catalog.oid"
      "   AND l.objsubid = 1",
      key);
  if (r.empty()) return "another session (it could not be identified)";
  return "pid " + std::string(r[0][0].c_str()) + " (" + r[0][1].c_str() + "), connected since " +
         r[0][2].c_str();
}

}  // namespace migration_tools
