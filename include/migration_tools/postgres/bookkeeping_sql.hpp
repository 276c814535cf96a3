// The SQL text of the bookkeeping: the DDL of the version and history tables
// and the statements that change their rows. Pure functions, no connection:
// the online bookkeeping binds the parameters, the offline script writer
// (`--sql`) inlines them as escaped literals. Either way the text is the same.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "migration_tools/core/planner.hpp"

namespace migration_tools {

struct bookkeeping_names {
  std::string schema = "public";
  std::string version_table;
  std::string history_table() const { return version_table + "_history"; }
  std::string progress_table() const { return version_table + "_progress"; }
};

struct history_entry {
  std::string revision;
  std::string direction;  // one of bookkeeping_sql::history_directions
  std::string checksum;
  std::string file;
  std::string error;  // failures only
};

namespace bookkeeping_sql {

// "name", with embedded double quotes doubled: always quoted, so that case and
// any character survive.
std::string quote_identifier(std::string_view name);
// 'text', with single quotes doubled; a text holding a backslash becomes an
// E'' literal with the backslashes doubled, so that it means the same whatever
// standard_conforming_strings says. Throws usage_error on a NUL byte.
std::string quote_literal(std::string_view text);
// The same, appended to `out` (offline scripts quote thousands of values).
void append_quoted_literal(std::string& out, std::string_view text);

// "schema"."version_table" and "schema"."version_table_history".
std::string version_table(const bookkeeping_names& names);
std::string history_table(const bookkeeping_names& names);
// "schema"."version_table_progress": the statements of a `transactional false`
// migration that ran, while it runs or after it failed part-way.
std::string progress_table(const bookkeeping_names& names);

// A statement with $1..$n placeholders; a parameter without a value is NULL.
struct statement {
  std::string text;
  std::vector<std::optional<std::string>> params;
};
// The statement with each $n replaced by its parameter as a literal (or NULL),
// for scripts that run without this program.
std::string inline_params(const statement& s);
void append_inlined(std::string& out, const statement& s);

// The directions a history row may have (its CHECK constraint).
// `repair` records the checksum of an applied migration's edited file.
extern const std::vector<std::string> history_directions;

// Creates the schema and both tables when missing, in this order. A history
// table made by an older version whose direction CHECK lacks a direction of
// history_directions gets the current constraint (a DO block).
std::vector<std::string> create_statements(const bookkeeping_names& names);
// The same statements by object, for a runner that creates only what is
// missing (CREATE SCHEMA IF NOT EXISTS needs CREATE on the database even
// when the schema exists).
struct creation {
  std::string schema, version_table, history_table, history_check_upgrade, progress_table;
};
creation create_statements_by_object(const bookkeeping_names& names);

// The bookkeeping objects that exist, one row each: kind ('schema',
// 'version', 'history', 'progress'), owner's role name, whether the current
// role may trust it (its own; for a schema also a superuser's or the
// database owner's, such as `public`), relkind ('' for the schema), the number of user
// triggers and of rules. A table owned by another role runs that role's
// triggers with the runner's rights, so the runner refuses it.
statement inspect_bookkeeping_objects(const bookkeeping_names& names);

// In the error of a step's bookkeeping statement (step_bookkeeping) when it
// runs outside the transaction the runner opened: a migration committed or
// rolled back part-way, and the statement, running on its own, is undone.
extern const char* const transaction_ended_marker;
// In the error of a step's bookkeeping statement when one of its version-row
// changes (1-based, in version_row_changes() order) touched other than one
// row: someone else changed the version table.
extern const char* const row_count_marker;
struct row_count_refusal {
  size_t change = 0;  // 1-based
  long long rows = 0;
};
std::optional<row_count_refusal> find_row_count_refusal(const std::string& error);
// Marks the transaction as a step's until it ends, by giving it a
// transaction id (which RESET ALL, DISCARD or pg_advisory_unlock_all() leave):
// run at the start of every step whose bookkeeping is step_bookkeeping, whose
// first column fails when its transaction has none.
std::string step_marker();
// Whether the version table exists: one boolean.
statement version_table_exists(const bookkeeping_names& names);
// The version rows, sorted.
std::string select_version_rows(const bookkeeping_names& names);

// One change to the version rows. An update or delete that does not touch
// exactly one row means someone else changed the table: the step must fail.
struct row_change {
  statement sql;
  bool expect_one_row = false;
  std::string what;  // "deleting 'a'", "moving 'a' to 'b'", "inserting 'b'"
};
// The row changes of one step, in the order they must run: deletes, the
// update, then inserts.
std::vector<row_change> version_row_changes(const bookkeeping_names& names,
                                            const version_change& change);
// The error when a row change touched `rows` rows instead of one.
std::string unexpected_row_count(const std::string& table, const std::string& what,
                                 const std::string& rows);

// Appends a history row; started_at is the transaction's start (now()).
statement insert_history_row(const bookkeeping_names& names, const history_entry& entry);
// The row changes of one step and its history row as one statement of
// data-modifying CTEs, so that a step's bookkeeping costs one round trip. It
// fails when it runs outside the step's transaction (transaction_ended_marker)
// and when a row change that must touch one row touched another number
// (row_count_marker); its result holds nothing else.
// nullopt when two changes name the same revision: they must run one by one.
std::optional<statement> step_bookkeeping(const bookkeeping_names& names,
                                          const version_change& change, const history_entry& entry);

// The checksum a revision was recorded with is the one of its latest history
// row of direction upgrade, stamp or repair that has one (a stamp of a revision
// that was applied already records none, and leaves the earlier one standing).
// Every such row, unordered (the client keeps the highest id of each revision:
// with ten thousand revisions, sorting them on the server took longer):
// columns revision, checksum, id.
std::string select_checksum_rows(const bookkeeping_names& names);
// One of those rows in full: revision, direction, checksum, file, and its
// finish time in UTC as 'YYYY-MM-DD HH:MM:SS+00'.
statement select_recorded_checksum(const bookkeeping_names& names, long long id);

// Progress of a `transactional false` migration, one row per statement, each
// written in autocommit: `started` before the statement runs, then
// `finished` or `failed` after it. Rows left behind are a failed (or
// interrupted) migration; the transaction that writes the version and
// history rows at the end deletes them.
struct progress_statement {
  std::string revision;
  std::string direction;  // upgrade or downgrade
  int index = 0;          // 1-based, in the order of the section
  int line = 0;           // file line of the statement
  std::string checksum;   // statement_checksum() of its text
  std::string file;
};
// Lower-case hex SHA-256 of one statement's text.
std::string statement_checksum(std::string_view statement_text);
// Whether the progress table exists: one boolean (databases set up before it existed).
statement progress_table_exists(const bookkeeping_names& names);
statement history_table_exists(const bookkeeping_names& names);
// Records that a statement starts, replacing an earlier row of the same
// statement (a resumed run re-runs the failed statement).
statement progress_started(const bookkeeping_names& names, const progress_statement& s);
statement progress_finished(const bookkeeping_names& names, const progress_statement& s);
statement progress_failed(const bookkeeping_names& names, const progress_statement& s,
                          const std::string& error);
// revision, direction, statement_index, statement_line, statement_checksum,
// file, started_at, finished_at (NULL: not known to have finished), error.
std::string select_progress_rows(const bookkeeping_names& names);
statement delete_progress_rows(const bookkeeping_names& names, const std::string& revision);
std::string delete_all_progress_rows(const bookkeeping_names& names);

}  // namespace bookkeeping_sql

}  // namespace migration_tools
