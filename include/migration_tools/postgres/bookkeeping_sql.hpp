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
};

struct history_entry {
  std::string revision;
  std::string direction;  // upgrade, downgrade, stamp or failure
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

// "schema"."version_table" and "schema"."version_table_history".
std::string version_table(const bookkeeping_names& names);
std::string history_table(const bookkeeping_names& names);

// A statement with $1..$n placeholders; a parameter without a value is NULL.
struct statement {
  std::string text;
  std::vector<std::optional<std::string>> params;
};
// The statement with each $n replaced by its parameter as a literal (or NULL),
// for scripts that run without this program.
std::string inline_params(const statement& s);

// Creates the schema and both tables when missing, in this order.
std::vector<std::string> create_statements(const bookkeeping_names& names);
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

}  // namespace bookkeeping_sql

}  // namespace migration_tools
