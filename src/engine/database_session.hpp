// The database side of a runner_context, behind an interface.
//
// A runner is two executables (add_migrations): the one users run answers
// the commands that need no database (heads, history, show, new, --sql, ...)
// and hands the others to the online one. The first must not load libpq:
// binding it and the thirty libraries it brings is most of a `heads`. So
// nothing it links may name a libpqxx symbol, and the commands it shares
// with the online runner reach the database only through this interface,
// whose one implementation (postgres_session.cpp) only the online runner
// and the in-app migrator link.
#pragma once

#include <memory>
#include <pqxx/connection>
#include <pqxx/transaction_base>
#include <string>
#include <vector>

#include "migration_tools/core/planner.hpp"

namespace migration_tools {
class advisory_lock;
class bookkeeping;
struct migration;
}  // namespace migration_tools

namespace migration_tools::engine {

class runner_context;

class database_session {
 public:
  virtual ~database_session() = default;

  // Starts connecting on a thread of its own, so that the server starts its
  // backend (10 ms and more) while the command builds its graph and checks
  // its sources; connection() finishes it, and reports its errors. Does
  // nothing where that could change what the command does or says: for the
  // development database (which may have to be started) and with
  // --wait-for-db.
  virtual void start_connecting() {}
  // Connects on first use, saying once which database it uses.
  virtual pqxx::connection& connection() = 0;
  // The application's connection instead of one of ours (see runner_context).
  virtual void adopt_connection(pqxx::connection& conn) = 0;
  // The URL of connection() (connecting first).
  virtual const std::string& url() = 0;
  virtual bookkeeping& books() = 0;
  // Version rows, or none when the bookkeeping tables do not exist yet.
  virtual std::vector<std::string> version_rows() = 0;
  // Takes the migration lock for the run (none through a pooler in
  // transaction mode: see lock_in_transaction) and creates the bookkeeping
  // tables if needed.
  virtual std::unique_ptr<advisory_lock> lock_for_changes() = 0;
  // Through a connection pooler in transaction mode (--lock transaction) a
  // session's advisory lock would stay on a server connection the pooler
  // hands to others: the lock is taken at the start of each transaction
  // that changes the database instead, and held to its end.
  virtual bool locks_per_transaction() { return false; }
  virtual void lock_in_transaction(pqxx::transaction_base&) {}
  virtual std::string session_defaults() const = 0;
  // A connection no migration uses, idle while the steps run (the one that
  // holds the migration lock), from which the lock guard watches who blocks
  // them; null when there is none (an application's own connection).
  virtual pqxx::connection* observer_connection() { return nullptr; }
  virtual void record_failure_elsewhere(const migration& m, const std::string& checksum,
                                        const std::string& message) = 0;
};

// Whether a connection begun early (start_connecting) was left on its way:
// its thread may still be inside libpq, so the process must end without
// running exit handlers, which tear down the state of libpq's libraries
// (krb5 asserts on it). cli::end_runner asks, sanitizer builds included.
void note_connection_left_in_flight();
bool connection_left_in_flight();

// How a runner_context gets its database: the online runner and the migrator
// pass open_postgres_session; the runner users run passes none.
using database_opener = std::unique_ptr<database_session> (*)(runner_context& ctx);

std::unique_ptr<database_session> open_postgres_session(runner_context& ctx);

// What libpq reads from the environment: the default application_name
// (PGAPPNAME, unless set) and --connect-timeout (PGCONNECT_TIMEOUT). setenv
// is not safe beside another thread's getenv: call it before starting the
// threads that connect (a fleet's), as each session does on its own thread.
void prepare_libpq_environment(const std::string& application_name,
                               const std::string& connect_timeout);

}  // namespace migration_tools::engine
