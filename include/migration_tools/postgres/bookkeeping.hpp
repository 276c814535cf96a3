// The version table (one row per applied head) and the history table (one row
// per upgrade, downgrade, stamp or failure), on a connection. The SQL text
// comes from bookkeeping_sql.hpp, shared with the offline script writer.
#pragma once

#include <functional>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <unordered_map>
#include <vector>

#include "migration_tools/core/planner.hpp"
#include "migration_tools/postgres/bookkeeping_sql.hpp"

namespace migration_tools {

// One row of the progress table of a `transactional false` migration.
struct progress_row {
  bookkeeping_sql::progress_statement statement;
  std::string started_at;
  std::string finished_at;  // empty: not known to have finished
  std::string error;        // set: the statement failed
  bool finished() const { return !finished_at.empty(); }
};

// The checksum a revision was last recorded with (upgrade, stamp or repair).
struct recorded_checksum {
  std::string revision;
  std::string direction;
  std::string checksum;
  std::string file;
  std::string recorded_at;  // UTC, 'YYYY-MM-DD HH:MM:SS+00'
};

class bookkeeping {
 public:
  bookkeeping(pqxx::connection& connection, bookkeeping_names names);

  const bookkeeping_names& names() const { return names_; }
  // "schema"."table", quoted.
  const std::string& version_table() const { return version_; }
  const std::string& history_table() const { return history_; }

  bool exists();
  // Whether the history table exists (a database whose history table was
  // dropped by hand gets it back at the next change, under the lock).
  bool history_exists(pqxx::transaction_base& tx);
  // Creates the schema and the tables that are missing, and refuses (throws
  // database_error) existing ones the connected role does not own, that are
  // not tables, or that carry triggers or rules. Call with the lock held.
  // `first`, when given, runs first in create()'s transaction (the
  // migration lock of a pooled connection).
  void create(const std::function<void(pqxx::transaction_base&)>& first = nullptr);
  // Current version rows, sorted.
  std::vector<std::string> version_rows();
  std::vector<std::string> version_rows(pqxx::transaction_base& tx);

  // Applies row changes; every update and delete must touch exactly one row,
  // else someone else changed the table and the step is rolled back.
  void apply(pqxx::transaction_base& tx, const version_change& change);
  // Appends a history row; started_at is the transaction's start.
  void record(pqxx::transaction_base& tx, const history_entry& entry);
  // apply() and record() of one step, in one round trip when it can.
  // After a statement that may have deallocated them (DISCARD ALL): the next
  // bookkeeping statements are prepared again, under new names.
  // Through a connection pooler in transaction mode, a statement prepared
  // on one server connection is unknown on the next: none is prepared, each
  // is sent with its parameters (unnamed) instead.
  void use_unnamed_statements() { unnamed_ = true; }
  void forget_prepared_statements() {
    prepared_.clear();
    ++prepared_generation_;
  }
  void apply_and_record(pqxx::transaction_base& tx, const version_change& change,
                        const history_entry& entry);
  // apply_and_record() as SQL text that the caller sends in one message with
  // the migration's last statement, saving the step a round trip: an EXECUTE
  // of the prepared statement (prepared here, so call it before the
  // transaction) with the values as literals. It fails (row_count_failure)
  // when a row change touches other than one row, so that a COMMIT sent after
  // it never runs. nullopt when the step takes more than one statement.
  std::optional<std::string> step_execute(const version_change& change, const history_entry& entry);
  // The message for a bookkeeping statement that refused a row change of
  // `change` touching other than one row (its error text is `error`);
  // nullopt for any other error.
  std::optional<std::string> row_count_failure(const std::string& error,
                                               const version_change& change) const;
  // The history rows that record a checksum (bookkeeping_sql::select_checksum_rows).
  pqxx::result checksum_rows(pqxx::transaction_base& tx);
  // One of them in full, by its id.
  recorded_checksum recorded_checksum_at(pqxx::transaction_base& tx, long long id);

  // Progress of a `transactional false` migration (see bookkeeping_sql.hpp).
  // The writes commit on their own, outside any transaction.
  const std::string& progress_table() const { return progress_; }
  // Rows left by a failed or interrupted migration; none when the table does
  // not exist yet.
  std::vector<progress_row> progress_rows();
  void progress_started(const bookkeeping_sql::progress_statement& s);
  void progress_finished(const bookkeeping_sql::progress_statement& s);
  void progress_failed(const bookkeeping_sql::progress_statement& s, const std::string& error);
  // In the transaction that records the migration (or a stamp).
  void clear_progress(pqxx::transaction_base& tx, const std::string& revision);
  void clear_all_progress(pqxx::transaction_base& tx);

 private:
  // A statement run once per step is prepared once per connection: planning
  // it again for each of a thousand steps would cost more than running it.
  pqxx::result exec_prepared(pqxx::transaction_base& tx, const bookkeeping_sql::statement& s);
  // The name `s` is prepared under on this connection (libpqxx prepares it
  // at its first use).
  const std::string& prepared_name(const bookkeeping_sql::statement& s);
  // Throws when an existing bookkeeping object cannot be trusted (create()).
  void refuse_untrusted(const std::string& kind, const std::string& owner, bool trusted,
                        const std::string& relkind, long triggers, long rules,
                        const std::string& me) const;

  pqxx::connection& connection_;
  bookkeeping_names names_;
  std::string version_, history_, progress_;
  std::unordered_map<std::string, std::string> prepared_;  // statement text -> name
  int prepared_generation_ = 0;                            // bumped by forget_prepared_statements()
  bool unnamed_ = false;                                   // use_unnamed_statements()
};

}  // namespace migration_tools
