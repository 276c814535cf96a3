// Runs one migration step and its bookkeeping in a single transaction.
#pragma once

#include <functional>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "migration_tools/core/migration.hpp"
#include "migration_tools/core/planner.hpp"
#include "migration_tools/core/sql_splitter.hpp"
#include "migration_tools/postgres/bookkeeping.hpp"
#include "migration_tools/postgres/step_sql.hpp"

namespace migration_tools {

class step_executor {
 public:
  step_executor(pqxx::connection& connection, bookkeeping& books)
      : connection_(connection), books_(books) {}

  // --lock-timeout and --statement-timeout: SET LOCAL in each migration's
  // transaction, SET on the session around a `transactional false` one.
  void set_timeouts(const timeouts& defaults) { timeouts_ = defaults; }

  // SQL that puts the session back in the state the runner set up (RESET
  // ALL and the runner's own settings), run at the start of every migration,
  // so that each one starts from the same state whatever the one before it
  // SET, RESET or DISCARDed. Sent with the migration's first statement: no
  // round trip of its own.
  void set_session_defaults(std::string sql) { session_defaults_ = std::move(sql); }

  // Records a failure row on a connection of its own: used when a C++
  // migration calls exit() while it runs, when this executor's connection is
  // in the middle of the migration's transaction. The process then ends
  // with exit code 1, after the file:line message.
  using failure_recorder = std::function<void(const migration&, const std::string& checksum,
                                              const std::string& message)>;
  void set_failure_recorder(failure_recorder record) { failure_recorder_ = std::move(record); }

  // While the caller will try a step again after a lock timeout (the lock
  // guard), such a timeout writes no `failure` history row.
  void set_retrying_lock_timeouts(bool retrying) { retrying_lock_timeouts_ = retrying; }

  // Called on the migrations' connection before a `transactional false`
  // migration runs again the statement that failed before (a retry of the
  // lock guard, or --resume): what that statement left half done (the
  // INVALID index of a CREATE INDEX CONCURRENTLY) is the caller's to clear.
  using statement_again_hook =
      std::function<void(pqxx::connection&, const migration&, const sql_statement&)>;
  void set_statement_again_hook(statement_again_hook hook) { again_hook_ = std::move(hook); }

  // Whether a `transactional false` migration's statement runs without the
  // session's lock_timeout (SET lock_timeout = 0 around it): the caller's
  // say, for statements that wait without making others wait.
  // Runs first in each migration's transaction, before its statements (the
  // migration lock of a pooled connection, and the check that the version
  // rows are still those the plan expects: it throws to roll back).
  // Migrations with `transactional false` must not be run with it.
  using transaction_entry = std::function<void(pqxx::transaction_base&)>;
  void set_transaction_entry(transaction_entry entry) { entry_ = std::move(entry); }
  using lock_timeout_exemption = std::function<bool(const migration&, const sql_statement&)>;
  void set_lock_timeout_exemption(lock_timeout_exemption exempt) { exempt_ = std::move(exempt); }

  // On failure nothing of the step remains, a `failure` history row is
  // written, and migration_failed says `file:line: error: ... (SQLSTATE x)`.
  // A `transactional false` SQL migration runs statement by statement in
  // autocommit, recording each in the progress table; a failure leaves the
  // statements that ran and the failed one recorded there, and the version
  // and history rows are written (and the progress rows deleted) in one
  // transaction once all statements ran. `first_statement` (1-based) resumes
  // such a migration: the statements before it ran already, and the caller
  // has checked that they are unchanged.
  // `again`: first_statement failed before and runs again (see
  // set_statement_again_hook).
  void run(const migration& m, direction dir, const version_change& change,
           const std::string& checksum, int first_statement = 1, bool again = false);

  // Runs a transactional step's statements (or its C++ body) in a
  // transaction, calls `inside` with that transaction open, and rolls it
  // back: what the step does, seen without keeping it (the stairway test
  // looks at a downgrade this way, then goes on from the state before it).
  // No bookkeeping. A failure is a migration_failed at the file and line.
  void run_and_roll_back(const migration& m, direction dir,
                         const std::function<void(pqxx::transaction_base&)>& inside);

 private:
  // What run_sql sends after the last statement, in the same message.
  struct sql_suffix {
    std::string text;
    // The step's version change, for the bookkeeping's refusals; null when
    // the suffix holds no bookkeeping.
    const version_change* change = nullptr;
    // Set once the server has begun to COMMIT (commit_watch): from then on,
    // a lost connection leaves it unknown whether the step was applied.
    const bool* commit_started = nullptr;
  };
  // Runs the section's statements (split_sql) one simple query each,
  // `prelude` sent with the first and `suffix` with the last; returns the
  // last one's result.
  pqxx::result run_sql(pqxx::transaction_base& tx, const migration& m, const sql_section& section,
                       const std::vector<sql_statement>& statements, std::string prelude,
                       const sql_suffix& suffix);
  // A transactional SQL migration: BEGIN with its first statement, the
  // bookkeeping and COMMIT with its last: one round trip for one statement.
  void run_in_transaction(const migration& m, direction dir, const sql_section& section,
                          const version_change& change, const std::string& checksum);
  // The bookkeeping of a step, in its transaction; a migration that ended
  // the transaction or deallocated the runner's statements is named.
  void record_step(pqxx::transaction_base& tx, const migration& m, direction dir,
                   const version_change& change, const std::string& checksum);
  // The message for a bookkeeping statement that failed because of what the
  // migration did; nullopt for any other error.
  std::optional<std::string> bookkeeping_failure(const migration& m,
                                                 const pqxx::sql_error& e) const;
  void run_sql_outside_transaction(const migration& m, direction dir, const sql_section& section,
                                   int first_statement, bool again);
  void run_cpp(pqxx::work& tx, const migration& m, direction dir);
  void record_failure(const migration& m, const std::string& checksum, const std::string& message);

  pqxx::connection& connection_;
  bookkeeping& books_;
  timeouts timeouts_;
  std::string session_defaults_;
  failure_recorder failure_recorder_;
  std::string checksum_;  // of the step running
  bool retrying_lock_timeouts_ = false;
  statement_again_hook again_hook_;
  transaction_entry entry_;
  lock_timeout_exemption exempt_;
};

}  // namespace migration_tools
