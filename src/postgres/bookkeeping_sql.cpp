#include "migration_tools/postgres/bookkeeping_sql.hpp"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <sstream>
#include <unordered_map>
#include <utility>

#include "migration_tools/core/checksum.hpp"
#include "migration_tools/core/diagnostic.hpp"
#include "migration_tools/core/sql_literal.hpp"
#include "migration_tools/core/text.hpp"

namespace migration_tools::bookkeeping_sql {

std::string quote_identifier(std::string_view name) {
  if (name.find('\0') != std::string_view::npos)
    throw usage_error("an SQL identifier cannot contain a NUL byte");
  std::string out;
  out.reserve(name.size() + 4);
  out += '"';
  size_t start = 0;
  for (size_t at = name.find('"'); at != std::string_view::npos; at = name.find('"', at + 1)) {
    out.append(name, start, at + 1 - start);
    out += '"';
    start = at + 1;
  }
  out.append(name, start, std::string_view::npos);
  out += '"';
  return out;
}

void append_quoted_literal(std::string& out, std::string_view text) {
  append_sql_literal(out, text);
}

std::string quote_literal(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 8);
  append_quoted_literal(out, text);
  return out;
}

std::string version_table(const bookkeeping_names& names) {
  return concat({quote_identifier(names.schema), ".", quote_identifier(names.version_table)});
}

std::string history_table(const bookkeeping_names& names) {
  return concat({quote_identifier(names.schema), ".", quote_identifier(names.history_table())});
}

std::string progress_table(const bookkeeping_names& names) {
  return quote_identifier(names.schema) + "." + quote_identifier(names.progress_table());
}

namespace {

// Appends `t` to `out` with each placeholder $n rewritten by replace(out, n). Placeholders are only
// looked for outside quoted identifiers and literals, where a '$' followed by
// digits may be part of a name.
template <typename Replace>
void rewrite_placeholders(std::string& out, const std::string& t, Replace replace) {
  size_t i = 0;
  while (i < t.size()) {
    char c = t[i];
    if (c == '"' || c == '\'') {
      bool escapes = c == '\'' && i > 0 && (t[i - 1] == 'E' || t[i - 1] == 'e');
      size_t j = i + 1;
      for (; j < t.size(); ++j) {
        if (escapes && t[j] == '\\') {
          ++j;
        } else if (t[j] == c) {
          if (j + 1 < t.size() && t[j + 1] == c) {
            ++j;
          } else {
            break;
          }
        }
      }
      j = std::min(j + 1, t.size());
      out.append(t, i, j - i);
      i = j;
    } else if (c == '$' && i + 1 < t.size() && std::isdigit(static_cast<unsigned char>(t[i + 1]))) {
      size_t j = i + 1;
      size_t n = 0;
      while (j < t.size() && std::isdigit(static_cast<unsigned char>(t[j])))
        n = n * 10 + static_cast<size_t>(t[j++] - '0');
      replace(out, n);
      i = j;
    } else {
      // Up to the next quote or '$' at once.
      size_t j = i + 1;
      while (j < t.size() && t[j] != '"' && t[j] != '\'' && t[j] != '$') ++j;
      out.append(t, i, j - i);
      i = j;
    }
  }
}

}  // namespace

namespace {

// A statement's text split at its placeholders, found once per text: offline
// scripts inline the same few statements thousands of times.
struct placeholder_layout {
  std::string text;                                     // without the placeholders
  std::vector<std::pair<size_t, size_t>> placeholders;  // (offset in text, n)
};

const placeholder_layout& layout_of(const std::string& text) {
  // Per thread, and bounded: the statements a process writes are few.
  thread_local std::unordered_map<std::string, placeholder_layout> layouts;
  if (auto found = layouts.find(text); found != layouts.end()) return found->second;
  if (layouts.size() > 256) layouts.clear();
  placeholder_layout layout;
  rewrite_placeholders(layout.text, text, [&](std::string& to, size_t n) {
    layout.placeholders.emplace_back(to.size(), n);
  });
  return layouts.emplace(text, std::move(layout)).first->second;
}

}  // namespace

void append_inlined(std::string& out, const statement& s) {
  const placeholder_layout& layout = layout_of(s.text);
  size_t at = 0;
  for (const auto& [offset, n] : layout.placeholders) {
    out.append(layout.text, at, offset - at);
    at = offset;
    if (n == 0 || n > s.params.size())
      throw error("internal error: placeholder $" + std::to_string(n) +
                  " without a parameter in: " + s.text);
    const auto& p = s.params[n - 1];
    if (p)
      append_quoted_literal(out, *p);
    else
      out += "NULL";
  }
  out.append(layout.text, at, std::string::npos);
}

std::string inline_params(const statement& s) {
  std::string out;
  out.reserve(s.text.size() + 64);
  append_inlined(out, s);
  return out;
}

std::string step_marker() {
  return "SELECT pg_catalog.txid_current();\n";
}

const char* const transaction_ended_marker =
    "migration_tools: a migration ended the runner's transaction";

const char* const row_count_marker = "migration_tools: version row change ";

std::optional<row_count_refusal> find_row_count_refusal(const std::string& error) {
  size_t at = error.find(row_count_marker);
  if (at == std::string::npos) return std::nullopt;
  // "<marker><k> touched <n> rows", as step_bookkeeping writes it.
  std::istringstream in(error.substr(at + std::strlen(row_count_marker)));
  row_count_refusal out;
  std::string touched;
  if (!(in >> out.change >> touched >> out.rows) || touched != "touched" || out.change < 1)
    return std::nullopt;
  return out;
}

const std::vector<std::string> history_directions = {"upgrade", "downgrade", "stamp",
                                                     "unstamp", "failure",   "repair"};

namespace {

// 'upgrade', 'downgrade', ...: the body of the direction CHECK.
std::string direction_list() {
  std::string out;
  for (const auto& d : history_directions) out += (out.empty() ? "" : ", ") + quote_literal(d);
  return out;
}

// Replaces a direction CHECK made by an older version (without 'repair', say)
// by the current one, keeping its name. Does nothing on an up-to-date table.
std::string upgrade_direction_check(const bookkeeping_names& names) {
  std::string table = quote_literal(history_table(names));
  std::string outdated;
  for (const auto& d : history_directions)
    outdated += std::string(outdated.empty() ? "" : " OR ") +
                "pg_catalog.pg_get_constraintdef(oid) OPERATOR(pg_catalog.!~~) " +
                quote_literal("%" + quote_literal(d) + "%");
  std::string body =
      " DECLARE c record; BEGIN"
      " FOR c IN SELECT conname FROM pg_catalog.pg_constraint"
      " WHERE conrelid OPERATOR(pg_catalog.=) " +
      table +
      "::pg_catalog.regclass AND contype OPERATOR(pg_catalog.=) 'c'"
      " AND pg_catalog.pg_get_constraintdef(oid) OPERATOR(pg_catalog.~~) '%direction%' AND (" +
      outdated +
      ")"
      " LOOP EXECUTE pg_catalog.format('ALTER TABLE %s DROP CONSTRAINT %I, ADD CONSTRAINT %I"
      " CHECK (direction IN (%s))', " +
      table + ", c.conname, c.conname, " + quote_literal(direction_list()) + "); END LOOP; END ";
  std::string tag = "$mt_ddl$";
  while (body.find(tag) != std::string::npos) tag.insert(tag.size() - 1, "_");
  return "DO " + tag + body + tag;
}

}  // namespace

creation create_statements_by_object(const bookkeeping_names& names) {
  return {
      "CREATE SCHEMA IF NOT EXISTS " + quote_identifier(names.schema),
      "CREATE TABLE IF NOT EXISTS " + version_table(names) +
          " (version_num text NOT NULL PRIMARY KEY)",
      "CREATE TABLE IF NOT EXISTS " + history_table(names) +
          " (id bigserial PRIMARY KEY,"
          " revision text NOT NULL,"
          " direction text NOT NULL"
          "   CHECK (direction IN (" +
          direction_list() +
          ")),"
          " checksum text,"
          " file text,"
          " started_at timestamptz NOT NULL,"
          " finished_at timestamptz NOT NULL,"
          " duration_ms double precision NOT NULL,"
          " db_user text NOT NULL DEFAULT CURRENT_USER,"
          " error text)",
      upgrade_direction_check(names),
      "CREATE TABLE IF NOT EXISTS " + progress_table(names) +
          " (revision text NOT NULL,"
          " direction text NOT NULL CHECK (direction IN ('upgrade', 'downgrade')),"
          " statement_index integer NOT NULL,"
          " statement_line integer NOT NULL,"
          " statement_checksum text NOT NULL,"
          " file text,"
          " started_at timestamptz NOT NULL,"
          " finished_at timestamptz,"
          " error text,"
          " PRIMARY KEY (revision, direction, statement_index))",
  };
}

std::vector<std::string> create_statements(const bookkeeping_names& names) {
  auto c = create_statements_by_object(names);
  return {c.schema, c.version_table, c.history_table, c.history_check_upgrade, c.progress_table};
}

statement inspect_bookkeeping_objects(const bookkeeping_names& names) {
  return {
      "WITH me AS (SELECT r.oid, r.rolsuper FROM pg_catalog.pg_roles r"
      "   WHERE r.rolname OPERATOR(pg_catalog.=) CURRENT_USER),"
      " wanted(kind, name) AS (VALUES ('version', $2::pg_catalog.name),"
      "   ('history', $3::pg_catalog.name), ('progress', $4::pg_catalog.name))"
      " SELECT 'schema', o.rolname::pg_catalog.text,"
      "   n.nspowner OPERATOR(pg_catalog.=) me.oid OR o.rolsuper"
      "   OR o.rolname OPERATOR(pg_catalog.=) 'pg_database_owner'::pg_catalog.name"
      "   OR n.nspowner OPERATOR(pg_catalog.=) d.datdba"
      "   OR (NOT me.rolsuper AND pg_catalog.pg_has_role(me.oid, n.nspowner, 'MEMBER')),"
      "   '', 0::pg_catalog.int8, 0::pg_catalog.int8"
      " FROM pg_catalog.pg_namespace n"
      " JOIN pg_catalog.pg_roles o ON o.oid OPERATOR(pg_catalog.=) n.nspowner"
      " JOIN pg_catalog.pg_database d"
      "   ON d.datname OPERATOR(pg_catalog.=) pg_catalog.current_database(), me"
      " WHERE n.nspname OPERATOR(pg_catalog.=) $1::pg_catalog.name"
      " UNION ALL"
      " SELECT w.kind, o.rolname::pg_catalog.text,"
      "   c.relowner OPERATOR(pg_catalog.=) me.oid"
      "   OR (NOT me.rolsuper AND pg_catalog.pg_has_role(me.oid, c.relowner, 'MEMBER')),"
      "   c.relkind::pg_catalog.text,"
      "   (SELECT pg_catalog.count(*) FROM pg_catalog.pg_trigger t"
      "     WHERE t.tgrelid OPERATOR(pg_catalog.=) c.oid AND NOT t.tgisinternal),"
      "   (SELECT pg_catalog.count(*) FROM pg_catalog.pg_rewrite r"
      "     WHERE r.ev_class OPERATOR(pg_catalog.=) c.oid"
      "     AND r.rulename OPERATOR(pg_catalog.<>) '_RETURN'::pg_catalog.name)"
      " FROM wanted w"
      " JOIN pg_catalog.pg_namespace n ON n.nspname OPERATOR(pg_catalog.=) $1::pg_catalog.name"
      " JOIN pg_catalog.pg_class c ON c.relnamespace OPERATOR(pg_catalog.=) n.oid"
      "   AND c.relname OPERATOR(pg_catalog.=) w.name"
      " JOIN pg_catalog.pg_roles o ON o.oid OPERATOR(pg_catalog.=) c.relowner, me",
      {names.schema, names.version_table, names.history_table(), names.progress_table()}};
}

statement version_table_exists(const bookkeeping_names& names) {
  return {"SELECT pg_catalog.to_regclass($1::pg_catalog.text) IS NOT NULL", {version_table(names)}};
}

std::string select_version_rows(const bookkeeping_names& names) {
  return "SELECT version_num FROM " + version_table(names) + " ORDER BY version_num";
}

std::vector<row_change> version_row_changes(const bookkeeping_names& names,
                                            const version_change& change) {
  std::string table = version_table(names);
  std::vector<row_change> out;
  for (const auto& rev : change.deletes)
    out.push_back({{concat({"DELETE FROM ", table,
                            " WHERE version_num OPERATOR(pg_catalog.=) $1::pg_catalog.text"}),
                    {rev}},
                   true,
                   concat({"deleting '", rev, "'"})});
  if (!change.update_from.empty())
    out.push_back({{concat({"UPDATE ", table,
                            " SET version_num = $2::pg_catalog.text WHERE version_num "
                            "OPERATOR(pg_catalog.=) $1::pg_catalog.text"}),
                    {change.update_from, change.update_to}},
                   true,
                   concat({"moving '", change.update_from, "' to '", change.update_to, "'"})});
  for (const auto& rev : change.inserts)
    out.push_back(
        {{concat({"INSERT INTO ", table, " (version_num) VALUES ($1::pg_catalog.text)"}), {rev}},
         false,
         concat({"inserting '", rev, "'"})});
  return out;
}

std::string unexpected_row_count(const std::string& table, const std::string& what,
                                 const std::string& rows) {
  return concat({"version table ", table, " changed under this run: ", what, " touched ", rows,
                 " rows instead of 1; nothing of this step was kept"});
}

statement insert_history_row(const bookkeeping_names& names, const history_entry& e) {
  auto nullable = [](const std::string& s) {
    return s.empty() ? std::nullopt : std::optional<std::string>(s);
  };
  return {concat({"INSERT INTO ", history_table(names),
                  " (revision, direction, checksum, file, started_at, finished_at,"
                  " duration_ms, error) VALUES ($1::pg_catalog.text, $2::pg_catalog.text,"
                  " $3::pg_catalog.text, $4::pg_catalog.text, pg_catalog.now(),"
                  " pg_catalog.clock_timestamp(), pg_catalog.date_part('epoch',"
                  " pg_catalog.clock_timestamp() OPERATOR(pg_catalog.-) pg_catalog.now())"
                  " OPERATOR(pg_catalog.*) 1000::pg_catalog.float8, $5::pg_catalog.text)"}),
          {e.revision, e.direction, nullable(e.checksum), nullable(e.file), nullable(e.error)}};
}

std::optional<statement> step_bookkeeping(const bookkeeping_names& names,
                                          const version_change& change,
                                          const history_entry& entry) {
  // The parts of one statement run in no defined order: two changes of the
  // same revision (never planned, but stamp takes any rows) go one by one.
  std::vector<std::string> revisions = change.deletes;
  revisions.insert(revisions.end(), change.inserts.begin(), change.inserts.end());
  if (!change.update_from.empty()) {
    revisions.push_back(change.update_from);
    revisions.push_back(change.update_to);
  }
  std::sort(revisions.begin(), revisions.end());
  if (std::adjacent_find(revisions.begin(), revisions.end()) != revisions.end())
    return std::nullopt;

  auto parts = version_row_changes(names, change);
  std::vector<statement> statements;
  for (auto& part : parts) statements.push_back(std::move(part.sql));
  statements.push_back(insert_history_row(names, entry));
  statement out;
  // A row change that touched other than one row is refused by the statement
  // itself, so that a COMMIT sent after it in the same message
  // (step_executor) never runs.
  std::string refusals;
  for (size_t k = 0; k < statements.size(); ++k) {
    size_t offset = out.params.size();
    std::string name = "c" + std::to_string(k + 1);
    out.text += (k == 0 ? "WITH " : ", ") + name + " AS (";
    rewrite_placeholders(out.text, statements[k].text, [&](std::string& to, size_t n) {
      to += "$" + std::to_string(n + offset);
    });
    out.params.insert(out.params.end(), statements[k].params.begin(), statements[k].params.end());
    if (k >= parts.size() || !parts[k].expect_one_row) {
      out.text += ")";  // runs to completion unread, as every data-modifying WITH does
      continue;
    }
    out.text += " RETURNING 1)";
    std::string count = "(SELECT pg_catalog.count(*) FROM " + name + ")";
    refusals += " WHEN " + count + " OPERATOR(pg_catalog.<>) 1 THEN pg_catalog.int4in(" +
                "pg_catalog.textout(pg_catalog.concat(" +
                quote_literal(std::string(row_count_marker) + std::to_string(k + 1) + " touched ") +
                ", " + count + ", ' rows')))";
  }
  // A migration that ran COMMIT or ROLLBACK leaves this statement running
  // on its own, in a transaction of its own. The step's prelude
  // (step_marker) gave the runner's transaction an id; this statement's own
  // transaction has none yet when its first column is computed, before any
  // of its row changes run. Failing the statement undoes its version change.
  // (The error is the cast of a text that is not a number; its input is not
  // constant, so it is only evaluated when the transaction has no id.)
  out.text +=
      " SELECT CASE WHEN pg_catalog.txid_current_if_assigned() IS NULL"
      " THEN pg_catalog.int4in(pg_catalog.textout(pg_catalog.concat(" +
      quote_literal(std::string(transaction_ended_marker) + " at ") +
      ", pg_catalog.statement_timestamp()))) END";
  if (!refusals.empty()) out.text += ", CASE" + refusals + " END";
  return out;
}

std::string statement_checksum(std::string_view statement_text) {
  return migration_checksum(statement_text);
}

statement history_table_exists(const bookkeeping_names& names) {
  return {"SELECT pg_catalog.to_regclass($1::pg_catalog.text) IS NOT NULL", {history_table(names)}};
}

statement progress_table_exists(const bookkeeping_names& names) {
  return {"SELECT pg_catalog.to_regclass($1::pg_catalog.text) IS NOT NULL",
          {progress_table(names)}};
}

statement progress_started(const bookkeeping_names& names, const progress_statement& s) {
  return {"INSERT INTO " + progress_table(names) +
              " (revision, direction, statement_index, statement_line, statement_checksum, file,"
              " started_at) VALUES ($1::pg_catalog.text, $2::pg_catalog.text, $3::pg_catalog.int4,"
              " $4::pg_catalog.int4, $5::pg_catalog.text, $6::pg_catalog.text,"
              " pg_catalog.clock_timestamp())"
              " ON CONFLICT (revision, direction, statement_index) DO UPDATE SET"
              " statement_line = EXCLUDED.statement_line,"
              " statement_checksum = EXCLUDED.statement_checksum, file = EXCLUDED.file,"
              " started_at = EXCLUDED.started_at, finished_at = NULL, error = NULL",
          {s.revision, s.direction, std::to_string(s.index), std::to_string(s.line), s.checksum,
           s.file}};
}

statement progress_finished(const bookkeeping_names& names, const progress_statement& s) {
  return {"UPDATE " + progress_table(names) +
              " SET finished_at = pg_catalog.clock_timestamp()"
              " WHERE revision OPERATOR(pg_catalog.=) $1::pg_catalog.text"
              " AND direction OPERATOR(pg_catalog.=) $2::pg_catalog.text"
              " AND statement_index OPERATOR(pg_catalog.=) $3::pg_catalog.int4",
          {s.revision, s.direction, std::to_string(s.index)}};
}

statement progress_failed(const bookkeeping_names& names, const progress_statement& s,
                          const std::string& error) {
  return {"UPDATE " + progress_table(names) +
              " SET error = $4::pg_catalog.text"
              " WHERE revision OPERATOR(pg_catalog.=) $1::pg_catalog.text"
              " AND direction OPERATOR(pg_catalog.=) $2::pg_catalog.text"
              " AND statement_index OPERATOR(pg_catalog.=) $3::pg_catalog.int4",
          {s.revision, s.direction, std::to_string(s.index), error}};
}

std::string select_progress_rows(const bookkeeping_names& names) {
  return "SELECT revision, direction, statement_index, statement_line, statement_checksum, file,"
         " started_at, finished_at, error FROM " +
         progress_table(names) + " ORDER BY revision, direction, statement_index";
}

statement delete_progress_rows(const bookkeeping_names& names, const std::string& revision) {
  return {"DELETE FROM " + progress_table(names) +
              " WHERE revision OPERATOR(pg_catalog.=) $1::pg_catalog.text",
          {revision}};
}

std::string delete_all_progress_rows(const bookkeeping_names& names) {
  return "DELETE FROM " + progress_table(names);
}

std::string select_checksum_rows(const bookkeeping_names& names) {
  return "SELECT revision, checksum, id FROM " + history_table(names) +
         " WHERE direction OPERATOR(pg_catalog.=) ANY ('{upgrade,stamp,repair}'::pg_catalog.text[])"
         " AND checksum IS NOT NULL";
}

statement select_recorded_checksum(const bookkeeping_names& names, long long id) {
  return {
      "SELECT revision, direction, checksum, coalesce(file, ''),"
      " pg_catalog.concat(pg_catalog.to_char(finished_at AT TIME ZONE 'UTC',"
      " 'YYYY-MM-DD HH24:MI:SS'), '+00') "
      "FROM " +
          history_table(names) + " WHERE id OPERATOR(pg_catalog.=) $1::pg_catalog.int8",
      {std::to_string(id)}};
}

}  // namespace migration_tools::bookkeeping_sql
