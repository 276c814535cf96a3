#include "migration_tools/postgres/step_executor.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "migration_tools/core/section_statements.hpp"
#include "migration_tools/core/text.hpp"
#include "migration_tools/migration.hpp"
#include "migration_tools/postgres/errors.hpp"

namespace migration_tools {

namespace {

std::string located(const std::string& file, int line, const std::string& message) {
  return format_diagnostic({file, line, severity::error, message});
}

std::string sql_error_text(const pqxx::sql_error& e);

// A failed statement's `file:line:column: error: ...`, at the place PostgreSQL
// points to (error_position), else at the statement's first line. The query
// sent was `sent_before` (session settings) followed by the statement.
std::string failed_statement(const migration& m, const sql_section& section,
                             const sql_statement& statement, const std::string& sent_before,
                             const pqxx::sql_error& e) {
  diagnostic d{m.path, file_line(section, statement.line), severity::error, sql_error_text(e)};
  query_position at = error_position(e.what());
  int lines_before = static_cast<int>(std::count(sent_before.begin(), sent_before.end(), '\n'));
  if (at.line > lines_before) {
    int within = at.line - lines_before - 1;  // 0-based line of the statement
    d.line += within;
    if (at.column > 0 && within > 0) {
      d.column = at.column;
    } else if (at.column > 0) {
      // On the statement's first line, the query has what was sent before it
      // on that line; the file has whatever precedes the statement's first token.
      size_t newline = sent_before.rfind('\n');
      int sent_prefix = static_cast<int>(
          newline == std::string::npos ? sent_before.size() : sent_before.size() - newline - 1);
      size_t line_start = statement.offset == 0 ? std::string::npos
                                                : section.text.rfind('\n', statement.offset - 1);
      int file_prefix = static_cast<int>(
          line_start == std::string::npos ? statement.offset : statement.offset - line_start - 1);
      if (at.column > sent_prefix) d.column = at.column - sent_prefix + file_prefix;
    }
  }
  return format_diagnostic(d);
}

// Where PostgreSQL's error position lies in a query of `sent_before`, the
// statement, then "\n;\n" and more (the suffix): in the statement, on the
// `;` that ends it (a statement cut short: "syntax error at end of input" or
// at ";"), or in what followed it.
enum class error_place { statement, terminator, after };
error_place where_error(const sql_statement& statement, const std::string& sent_before,
                        const pqxx::sql_error& e) {
  query_position at = error_position(e.what());
  int lines_before = static_cast<int>(std::count(sent_before.begin(), sent_before.end(), '\n'));
  int statement_lines =
      static_cast<int>(std::count(statement.text.begin(), statement.text.end(), '\n'));
  int last_line = lines_before + 1 + statement_lines;
  if (at.line <= last_line) return error_place::statement;
  if (at.line == last_line + 1 && at.column == 1) return error_place::terminator;
  return error_place::after;
}

// The `;` that ends `statement` in the file (the first one after its text),
// as `file:line:column: error: ...`; at the statement's last line when the
// section ends without one.
std::string failed_at_terminator(const migration& m, const sql_section& section,
                                 const sql_statement& statement, const pqxx::sql_error& e) {
  size_t end = statement.offset + statement.text.size();
  size_t semicolon = section.text.find(';', end);
  size_t at = semicolon == std::string::npos ? end : semicolon;
  std::string_view text(section.text);
  int newlines = count_newlines(text.substr(statement.offset), at - statement.offset);
  size_t line_start = at == 0 ? std::string::npos : text.rfind('\n', at - 1);
  diagnostic d{m.path, file_line(section, statement.line) + newlines, severity::error,
               sql_error_text(e)};
  if (semicolon != std::string::npos)
    d.column = static_cast<int>(line_start == std::string::npos ? at : at - line_start - 1) + 1;
  return format_diagnostic(d);
}

// The history row of a step that succeeds.
history_entry step_entry(const migration& m, direction dir, const std::string& checksum) {
  return {m.revision, dir == direction::upgrade ? "upgrade" : "downgrade", checksum, m.path, ""};
}

std::string sql_error_text(const pqxx::sql_error& e) {
  std::string text = postgres_message(e.what());
  if (!e.sqlstate().empty()) {
    auto newline = text.find('\n');
    text.insert(newline == std::string::npos ? text.size() : newline,
                " (SQLSTATE " + e.sqlstate() + ")");
  }
  return text;
}

// The timeouts of a `transactional false` migration, SET on the session for
// its statements and RESET afterwards, whatever happened.
class session_timeouts {
 public:
  session_timeouts(pqxx::connection& connection, const std::vector<std::string>& sets)
      : connection_(connection) {
    if (sets.empty()) return;
    pqxx::nontransaction tx(connection_);
    for (const auto& set : sets) {
      tx.exec0(set);
      resets_.push_back("RESET " + set.substr(4, set.find(' ', 4) - 4));
    }
  }
  ~session_timeouts() {
    try {
      if (resets_.empty()) return;
      pqxx::nontransaction tx(connection_);
      for (const auto& reset : resets_) tx.exec0(reset);
    } catch (const std::exception&) {
      // A lost connection loses the settings too.
    }
  }
  session_timeouts(const session_timeouts&) = delete;
  session_timeouts& operator=(const session_timeouts&) = delete;

 private:
  pqxx::connection& connection_;
  std::vector<std::string> resets_;
};

// The server went away (stopped, crashed, or ended the session) during a
// statement of a migration that runs in a transaction: the server rolls the
// transaction back, so the migration left nothing behind. libpqxx's own text
// ("Could not obtain client encoding: not connected.") says nothing useful.
database_error transaction_connection_lost(const migration& m, int line, const std::string& what) {
  std::string reason = postgres_message(what);
  if (reason.empty() || reason.find("not connected") != std::string::npos)
    reason = "the server closed the connection";
  return database_error(located(
      m.path, line,
      "lost the connection to the database while running revision '" + m.revision + "': " + reason +
          "\nits transaction was not committed: nothing of it was applied"));
}

// A lost connection during a migration's transaction: nothing of it was
// applied, unless the server had begun to commit it (in doubt).
[[noreturn]] void throw_connection_lost(const migration& m, int line, const std::string& what,
                                        bool commit_started) {
  if (commit_started) throw pqxx::in_doubt_error(what);
  throw transaction_connection_lost(m, line, what);
}

// The C++ step running now, for exit_during_cpp_step: a migration that calls
// exit() must not end the run as a success.
struct running_cpp_step {
  const migration* m = nullptr;
  int line = 0;
  std::string checksum;
  const step_executor::failure_recorder* record = nullptr;
};
running_cpp_step* current_cpp_step = nullptr;

void exit_during_cpp_step() {
  running_cpp_step* step = current_cpp_step;
  if (!step) return;
  current_cpp_step = nullptr;
  std::string message =
      located(step->m->path, step->line,
              "C++ migration '" + step->m->revision +
                  "' called exit() while it ran: its transaction was not committed, so nothing "
                  "of it was applied, and the migrations after it did not run");
  std::fputs((message + "\n").c_str(), stderr);
  std::fflush(stderr);
  if (step->record && *step->record) {
    try {
      (*step->record)(*step->m, step->checksum, message);
    } catch (...) {
      // The message above is what matters.
    }
  }
  // The server rolls the open transaction back when this process is gone.
  ::_exit(1);
}

// The statements that end a step's message after its bookkeeping. At
// client_min_messages debug5 the server reports `CommitTransaction(...)` as
// it begins to commit, before anything is made durable, and flushes that
// message at once: until it arrives, a lost connection means the
// transaction was surely not committed. (The text is errmsg_internal, never
// translated.)
const char* const commit_statements =
    "RELEASE migration_tools_step;\nSET LOCAL client_min_messages = debug5;\nCOMMIT";

// Notes the server's `CommitTransaction(` message on the step's connection
// while registered, and keeps it, and the debug messages of the commit
// after it, from the notice printer.
class commit_watch : public pqxx::errorhandler {
 public:
  commit_watch(pqxx::connection_base& connection, bool& started)
      : pqxx::errorhandler(connection), started_(started) {}
  bool operator()(const char message[]) noexcept override {
    bool debug = std::strncmp(message, "DEBUG:", 6) == 0;
    if (debug && std::strstr(message, "CommitTransaction(")) started_ = true;
    return !(debug && started_);
  }

 private:
  bool& started_;
};

}  // namespace

pqxx::result step_executor::run_sql(pqxx::transaction_base& tx, const migration& m,
                                    const sql_section& section,
                                    const std::vector<sql_statement>& statements,
                                    std::string prelude, const sql_suffix& suffix) {
  auto commit_started = [&] { return suffix.commit_started && *suffix.commit_started; };
  // An error of what was sent after the last statement, if it is one.
  auto check_suffix_failure = [&](const pqxx::sql_error& e) {
    if (auto books = bookkeeping_failure(m, e)) throw migration_failed(*books);
    if (suffix.change)
      if (auto refused = books_.row_count_failure(e.what(), *suffix.change))
        throw database_error(*refused);
    // COMMIT itself failed (a deferred constraint, for one): nothing applied.
    if (commit_started())
      throw migration_failed(located(m.path, m.line_of("revision"), sql_error_text(e)));
  };
  if (statements.empty()) {
    if (prelude.empty() && suffix.text.empty()) return {};
    try {
      return tx.exec(prelude + suffix.text);
    } catch (const pqxx::broken_connection& e) {
      throw_connection_lost(m, m.line_of("revision"), e.what(), commit_started());
    } catch (const pqxx::sql_error& e) {
      if (!connection_.is_open())
        throw_connection_lost(m, m.line_of("revision"), e.what(), commit_started());
      check_suffix_failure(e);
      throw;
    }
  }
  pqxx::result last;
  for (size_t i = 0; i < statements.size(); ++i) {
    const auto& statement = statements[i];
    // The prelude (BEGIN, session defaults, timeouts) goes with the first
    // statement and the suffix (the bookkeeping and COMMIT) with the last,
    // in one simple query each: a one-statement migration costs one round
    // trip.
    std::string sent_before = std::move(prelude);
    prelude.clear();
    bool with_suffix = i + 1 == statements.size() && !suffix.text.empty();
    try {
      std::string query = sent_before;
      query += statement.text;
      if (with_suffix) query += suffix.text;
      last = tx.exec(query);
    } catch (const pqxx::broken_connection& e) {
      throw_connection_lost(m, file_line(section, statement.line), e.what(), commit_started());
    } catch (const pqxx::sql_error& e) {
      if (!connection_.is_open())
        throw_connection_lost(m, file_line(section, statement.line), e.what(), commit_started());
      if (with_suffix) {
        check_suffix_failure(e);
        auto place = where_error(statement, sent_before, e);
        if (place == error_place::terminator)
          throw migration_failed(failed_at_terminator(m, section, statement, e), e.sqlstate());
        if (place == error_place::after)
          throw migration_failed(located(m.path, m.line_of("revision"), sql_error_text(e)),
                                 e.sqlstate());
      }
      throw migration_failed(failed_statement(m, section, statement, sent_before, e), e.sqlstate());
    }
  }
  return last;
}

void step_executor::run_sql_outside_transaction(const migration& m, direction dir,
                                                const sql_section& section, int first_statement,
                                                bool again) {
  // transactional false: statements such as CREATE INDEX CONCURRENTLY refuse to
  // run inside a transaction block, so each one commits on its own. Progress is
  // committed before (started) and after (finished or failed) each statement,
  // so that whatever happens the table says which statements surely ran.
  auto statements = section_statements(section);
  for (size_t i = static_cast<size_t>(std::max(first_statement, 1)) - 1; i < statements.size();
       ++i) {
    const auto& statement = statements[i];
    auto progress = progress_of(m, dir, section, statement, i);
    books_.progress_started(progress);
    auto lost = [&](const std::string& what) {
      std::string reason = postgres_message(what);
      if (reason.empty() || reason.find("not connected") != std::string::npos)
        reason = "the server closed the connection";
      return database_error(located(
          m.path, progress.line,
          "lost the connection to the database while running statement " +
              std::to_string(progress.index) + " of " + std::to_string(statements.size()) +
              " of revision '" + m.revision + "' (transactional false): " + reason +
              "\nthe statements before it are recorded as done; whether this one took effect is "
              "unknown, and the next run reports it"));
    };
    try {
      // What the statement's failed try left is cleared as part of it: a
      // lock timeout there is the statement's, and retried with it.
      if (again && again_hook_ && i + 1 == static_cast<size_t>(std::max(first_statement, 1)))
        again_hook_(connection_, m, statement);
      pqxx::nontransaction tx(connection_);
      if (exempt_ && exempt_(m, statement)) {
        // The migration's own lock_timeout comes back after it.
        std::string restore = "RESET lock_timeout";
        for (const auto& set : timeout_statements(m, timeouts_, false))
          if (set.rfind("SET lock_timeout", 0) == 0) restore = set;
        tx.exec0("SET lock_timeout = 0");
        struct restore_timeout {
          pqxx::nontransaction& tx;
          const std::string& sql;
          ~restore_timeout() {
            try {
              tx.exec0(sql);
            } catch (const std::exception&) {
              // A lost connection loses the setting too; the error that
              // ended the statement is the one reported.
            }
          }
        } restore_after{tx, restore};
        tx.exec(std::string(statement.text));
      } else {
        tx.exec(std::string(statement.text));
      }
    } catch (const pqxx::broken_connection& e) {
      throw lost(e.what());
    } catch (const pqxx::sql_error& e) {
      if (!connection_.is_open()) throw lost(e.what());
      std::string message = failed_statement(m, section, statement, "", e);
      try {
        books_.progress_failed(progress, sql_error_text(e));
      } catch (const pqxx::failure&) {
        // The started row without an error still marks the statement as not done.
      }
      throw migration_failed(message, e.sqlstate(), static_cast<int>(progress.index));
    }
    books_.progress_finished(progress);
  }
}

void step_executor::run_cpp(pqxx::work& tx, const migration& m, direction dir) {
  const cpp_steps* steps = find_cpp_steps(m.revision.c_str());
  cpp_step_function fn = nullptr;
  int line = m.line_of("revision");
  if (steps) {
    fn = dir == direction::upgrade ? steps->upgrade : steps->downgrade;
    line = dir == direction::upgrade ? steps->upgrade_line : steps->downgrade_line;
  }
  if (!fn)
    throw migration_failed(located(m.path, m.line_of("revision"),
                                   dir == direction::upgrade
                                       ? "C++ migration has no MIGRATION_UPGRADE body"
                                       : "C++ migration has no MIGRATION_DOWNGRADE body; it "
                                         "cannot be downgraded"));
  static const bool exit_hook = [] { return std::atexit(exit_during_cpp_step) == 0; }();
  (void)exit_hook;
  running_cpp_step running{&m, line, checksum_, &failure_recorder_};
  current_cpp_step = &running;
  struct clear_current {
    ~clear_current() { current_cpp_step = nullptr; }
  } clear;
  try {
    fn(tx);
  } catch (const pqxx::sql_error& e) {
    throw migration_failed(located(m.path, line, sql_error_text(e)), e.sqlstate());
  } catch (const pqxx::broken_connection&) {
    throw;
  } catch (const std::exception& e) {
    throw migration_failed(located(m.path, line, e.what()));
  } catch (...) {
    throw migration_failed(located(m.path, line,
                                   "C++ migration '" + m.revision +
                                       "' threw something that is not a std::exception; "
                                       "nothing of it was applied"));
  }
}

void step_executor::run(const migration& m, direction dir, const version_change& change,
                        const std::string& checksum, int first_statement, bool again) {
  checksum_ = checksum;
  const sql_section& section = dir == direction::upgrade ? m.upgrade : m.downgrade;
  bool outside = m.kind == migration_kind::sql && !m.transactional;
  try {
    if (outside) {
      if (!session_defaults_.empty()) pqxx::nontransaction(connection_).exec(session_defaults_);
      {
        session_timeouts scope(connection_, timeout_statements(m, timeouts_, false));
        run_sql_outside_transaction(m, dir, section, first_statement, again);
      }
      // A statement such as DISCARD ALL may have dropped the runner's
      // prepared statements; they are prepared afresh.
      books_.forget_prepared_statements();
    }
    if (m.kind == migration_kind::sql && m.transactional) {
      run_in_transaction(m, dir, section, change, checksum);
      return;
    }
    pqxx::work tx(connection_);
    if (entry_ && !outside) entry_(tx);
    std::string prelude = outside ? "" : session_defaults_;
    prelude += bookkeeping_sql::step_marker();
    for (const auto& set : timeout_statements(m, timeouts_, true)) prelude += set + ";\n";
    if (m.kind == migration_kind::cpp) {
      if (!prelude.empty()) tx.exec(prelude);
      run_cpp(tx, m, dir);
    } else if (!prelude.empty()) {
      tx.exec(prelude);
    }
    record_step(tx, m, dir, change, checksum);
    if (outside) books_.clear_progress(tx, m.revision);
    tx.commit();
  } catch (const migration_failed& e) {
    // A lock timeout the caller tries again is no failure of the migration.
    if (!(retrying_lock_timeouts_ && e.lock_timed_out())) record_failure(m, checksum, e.what());
    throw;
  } catch (const pqxx::in_doubt_error&) {
    throw database_error(located(
        m.path, m.line_of("revision"),
        "lost the connection to the database while committing revision '" + m.revision +
            "': whether it was applied is unknown; check with 'current' (and 'history') before "
            "running anything else"));
  } catch (const pqxx::broken_connection& e) {
    throw database_error(located(m.path, m.line_of("revision"),
                                 "lost the connection to the database while running revision '" +
                                     m.revision + "': " + postgres_message(e.what())));
  } catch (const pqxx::sql_error& e) {
    std::string message = located(m.path, m.line_of("revision"), sql_error_text(e));
    // 57P01-57P03: the server shut down under the migration (a failover,
    // a restart): its transaction is gone with the session.
    if (e.sqlstate().rfind("57P", 0) == 0 && m.transactional)
      throw database_error(
          message + "\n  the server shut down while revision '" + m.revision +
          "' ran; its transaction was rolled back with the session, and the revisions before it "
          "are applied. Run upgrade again against the primary once it is back (after a "
          "failover: the promoted standby)");
    migration_failed failed(message, e.sqlstate());
    if (!(retrying_lock_timeouts_ && failed.lock_timed_out())) record_failure(m, checksum, message);
    throw failed;
  }
}

void step_executor::run_in_transaction(const migration& m, direction dir,
                                       const sql_section& section, const version_change& change,
                                       const std::string& checksum) {
  // Prepared before the transaction; sent with the last statement. A
  // section with an unclosed quote or comment (refused at configure time)
  // would swallow it: then it goes on its own.
  std::optional<std::string> books = books_.step_execute(change, step_entry(m, dir, checksum));
  auto split = section_split(section);
  const auto& problems = split.problems;
  bool closed = std::none_of(problems.begin(), problems.end(), [](const sql_lexical_problem& p) {
    return p.what != sql_lexical_problem::kind::backslash;
  });
  // SAVEPOINT fails outside a transaction block: after a COMMIT or ROLLBACK
  // in the migration's body, the suffix runs in the implicit transaction of
  // its message, which the step_marker guard alone cannot tell from the
  // runner's (the body's statements may have given it an id).
  // The COMMIT follows in the same message: the bookkeeping statement
  // refuses a wrong row count itself, so the server never gets to COMMIT a
  // step whose bookkeeping failed.
  bool commit_started = false;
  sql_suffix suffix;
  if (books && closed) {
    suffix.text = "\n;\nSAVEPOINT migration_tools_step;\n" + *books + ";\n" + commit_statements;
    suffix.change = &change;
    suffix.commit_started = &commit_started;
  }

  // The transaction is begun by the first message, not by a round trip of
  // its own (pqxx::work's BEGIN), and ended by the last one.
  pqxx::nontransaction tx(connection_);
  commit_watch watch(connection_, commit_started);
  struct rollback_unless_committed {
    pqxx::nontransaction& tx;
    pqxx::connection& connection;
    bool open = true;
    ~rollback_unless_committed() {
      if (!open || !connection.is_open()) return;
      try {
        // When the failed message never began the transaction (a syntax
        // error anywhere in it, its BEGIN included), the server warns that
        // there is none to roll back: noise before the real error.
        pqxx::quiet_errorhandler quiet(connection);
        tx.exec0("ROLLBACK");
      } catch (const std::exception&) {
        // The server ends the transaction with the session anyway.
      }
    }
  } guard{tx, connection_};

  std::string prelude = "BEGIN;\n" + session_defaults_ + bookkeeping_sql::step_marker();
  if (entry_) {
    // Its own round trip: it decides whether the step runs at all.
    tx.exec0("BEGIN");
    entry_(tx);
    prelude = session_defaults_ + bookkeeping_sql::step_marker();
  }
  for (const auto& set : timeout_statements(m, timeouts_, true)) prelude += set + ";\n";
  try {
    run_sql(tx, m, section, split.statements, std::move(prelude), suffix);
  } catch (...) {
    // A COMMIT that failed ended the transaction too.
    if (commit_started) guard.open = false;
    throw;
  }
  if (!suffix.text.empty()) {
    // The server began our COMMIT, which follows the bookkeeping, unless
    // what the migration sent swallowed the suffix: then the guard rolls
    // the step back.
    if (!commit_started)
      throw database_error(
          "the runner's bookkeeping statement did not run after the migration's "
          "last statement; nothing of this step was kept");
    guard.open = false;
    return;
  }
  record_step(tx, m, dir, change, checksum);
  guard.open = false;  // COMMIT ends the transaction, whether it succeeds or fails
  try {
    tx.exec0("COMMIT");
  } catch (const pqxx::broken_connection& e) {
    throw pqxx::in_doubt_error(e.what());
  }
}

void step_executor::run_and_roll_back(const migration& m, direction dir,
                                      const std::function<void(pqxx::transaction_base&)>& inside) {
  checksum_.clear();
  std::string prelude = "BEGIN;\n" + session_defaults_;
  for (const auto& set : timeout_statements(m, timeouts_, true)) prelude += set + ";\n";
  if (m.kind == migration_kind::cpp) {
    pqxx::work tx(connection_);
    if (!session_defaults_.empty()) tx.exec(session_defaults_);
    run_cpp(tx, m, dir);
    inside(tx);
    tx.abort();
    return;
  }
  const sql_section& section = dir == direction::upgrade ? m.upgrade : m.downgrade;
  auto statements = section_statements(section);
  pqxx::nontransaction tx(connection_);
  struct roll_back {
    pqxx::nontransaction& tx;
    pqxx::connection& connection;
    ~roll_back() {
      if (!connection.is_open()) return;
      try {
        pqxx::quiet_errorhandler quiet(connection);
        tx.exec0("ROLLBACK");
      } catch (const std::exception&) {
        // The server ends the transaction with the session anyway.
      }
    }
  } guard{tx, connection_};
  if (statements.empty())
    tx.exec(prelude);
  else
    run_sql(tx, m, section, statements, std::move(prelude), {});
  inside(tx);
}

std::optional<std::string> step_executor::bookkeeping_failure(const migration& m,
                                                              const pqxx::sql_error& e) const {
  std::string what = e.what();
  // 25P01 (no active SQL transaction): run_in_transaction's SAVEPOINT.
  if (what.find(bookkeeping_sql::transaction_ended_marker) != std::string::npos ||
      e.sqlstate() == "25P01")
    return located(
        m.path, m.line_of("revision"),
        "revision '" + m.revision +
            "' ended the runner's transaction (a COMMIT or ROLLBACK in its body, or in a "
            "procedure it called): what it ran after that point was committed statement by "
            "statement and stays, and its version was not recorded. Check the database, then "
            "set the version with 'stamp'; to commit part-way, declare the migration "
            "'-- migrate:transactional false'");
  if (e.sqlstate() == "26000")
    return located(m.path, m.line_of("revision"),
                   "revision '" + m.revision +
                       "' deallocated the runner's prepared statements (DEALLOCATE ALL or DISCARD "
                       "inside its transaction), so its version could not be recorded; nothing "
                       "of it was kept. Remove that statement from the migration");
  return std::nullopt;
}

void step_executor::record_step(pqxx::transaction_base& tx, const migration& m, direction dir,
                                const version_change& change, const std::string& checksum) {
  try {
    books_.apply_and_record(tx, change, step_entry(m, dir, checksum));
  } catch (const pqxx::sql_error& e) {
    if (auto books = bookkeeping_failure(m, e)) throw migration_failed(*books);
    throw;
  }
}

void step_executor::record_failure(const migration& m, const std::string& checksum,
                                   const std::string& message) {
  try {
    pqxx::work tx(connection_);
    books_.record(tx, {m.revision, "failure", checksum, m.path, message});
    tx.commit();
  } catch (const std::exception&) {
    // The failure itself is what matters; a lost connection also loses this row.
  }
}

}  // namespace migration_tools
