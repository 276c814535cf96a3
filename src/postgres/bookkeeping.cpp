#include "migration_tools/postgres/bookkeeping.hpp"

#include <set>

#include "migration_tools/core/checksum.hpp"
#include "migration_tools/postgres/errors.hpp"

namespace migration_tools {

namespace {

std::vector<const char*> param_values(const bookkeeping_sql::statement& s) {
  std::vector<const char*> params;
  params.reserve(s.params.size());
  for (const auto& p : s.params) params.push_back(p ? p->c_str() : nullptr);
  return params;
}

pqxx::result exec(pqxx::transaction_base& tx, const bookkeeping_sql::statement& s) {
  return tx.exec_params(s.text, pqxx::prepare::make_dynamic_params(param_values(s)));
}

}  // namespace

bookkeeping::bookkeeping(pqxx::connection& connection, bookkeeping_names names)
    : connection_(connection),
      names_(std::move(names)),
      version_(bookkeeping_sql::version_table(names_)),
      history_(bookkeeping_sql::history_table(names_)),
      progress_(bookkeeping_sql::progress_table(names_)) {}

bool bookkeeping::exists() {
  pqxx::nontransaction tx(connection_);
  return exec(tx, bookkeeping_sql::version_table_exists(names_))[0][0].as<bool>();
}

bool bookkeeping::history_exists(pqxx::transaction_base& tx) {
  return exec(tx, bookkeeping_sql::history_table_exists(names_))[0][0].as<bool>();
}

void bookkeeping::create(const std::function<void(pqxx::transaction_base&)>& first) {
  pqxx::work tx(connection_);
  if (first) first(tx);
  // Names in what follows resolve in pg_catalog only, whatever the role's
  // search_path (every statement is qualified as well).
  tx.exec0("SET LOCAL search_path = pg_catalog, pg_temp");
  std::set<std::string> existing;
  std::string me = tx.exec("SELECT CURRENT_USER::pg_catalog.text")[0][0].c_str();
  for (const auto& row : exec(tx, bookkeeping_sql::inspect_bookkeeping_objects(names_))) {
    std::string kind = row[0].c_str();
    refuse_untrusted(kind, row[1].c_str(), row[2].as<bool>(), row[3].c_str(), row[4].as<long>(),
                     row[5].as<long>(), me);
    existing.insert(kind);
  }
  // Only what is missing: CREATE SCHEMA IF NOT EXISTS needs CREATE on the
  // database even when the schema exists, which a deploy role need not have.
  auto c = bookkeeping_sql::create_statements_by_object(names_);
  if (!existing.count("schema")) tx.exec0(c.schema);
  if (!existing.count("version")) tx.exec0(c.version_table);
  tx.exec0(existing.count("history") ? c.history_check_upgrade : c.history_table);
  if (!existing.count("progress")) tx.exec0(c.progress_table);
  tx.commit();
}

void bookkeeping::refuse_untrusted(const std::string& kind, const std::string& owner, bool trusted,
                                   const std::string& relkind, long triggers, long rules,
                                   const std::string& me) const {
  std::string what = kind == "schema"
                         ? "bookkeeping schema " + bookkeeping_sql::quote_identifier(names_.schema)
                     : kind == "version" ? "version table " + version_
                     : kind == "history" ? "history table " + history_
                                         : "progress table " + progress_;
  std::string alter = kind == "schema"
                          ? "ALTER SCHEMA " + bookkeeping_sql::quote_identifier(names_.schema)
                          : "ALTER TABLE " + (kind == "version"   ? version_
                                              : kind == "history" ? history_
                                                                  : progress_);
  if (!trusted)
    throw database_error(
        what + " is owned by role '" + owner + "', not by '" + me +
        "' (the role this runner connects as): its owner can " +
        (kind == "schema" ? "replace the tables in it with ones whose triggers or rules"
                          : "attach triggers or rules that") +
        " would run with this runner's rights, so the runner does not write to it. Check it, "
        "then hand it over (" +
        alter + " OWNER TO " + bookkeeping_sql::quote_identifier(me) +
        "), or run the migrations as '" + owner + "'");
  if (kind != "schema" && relkind != "r" && relkind != "p")
    throw database_error(what + " is not a table (relkind '" + relkind +
                         "'), so the runner cannot keep its bookkeeping there; drop or rename "
                         "it, and restore the table from a backup or with 'stamp'");
  if (triggers > 0 || rules > 0)
    throw database_error(what + " has " + std::to_string(triggers) + " trigger(s) and " +
                         std::to_string(rules) +
                         " rule(s): they would run with this runner's rights at every "
                         "migration, so the runner refuses them; drop them (see \\d in psql)");
}

std::vector<std::string> bookkeeping::version_rows() {
  pqxx::read_transaction tx(connection_);
  return version_rows(tx);
}

std::vector<std::string> bookkeeping::version_rows(pqxx::transaction_base& tx) {
  std::vector<std::string> rows;
  for (const auto& row : tx.exec(bookkeeping_sql::select_version_rows(names_))) {
    if (row[0].is_null())
      throw version_table_damaged(
          "version table " + version_ +
          " holds a row whose version_num is NULL, which no runner writes: it was edited by "
          "hand. Delete that row (DELETE FROM " +
          version_ + " WHERE version_num IS NULL), then set the version with 'stamp'");
    rows.push_back(row[0].c_str());
  }
  // Sorted by the query: a repeated revision is next to itself.
  for (size_t i = 1; i < rows.size(); ++i)
    if (rows[i] == rows[i - 1])
      throw version_table_damaged(
          "version table " + version_ + " holds revision '" + rows[i] +
          "' more than once (its primary key was dropped or the table was made by hand); "
          "'stamp --purge " +
          rows[i] + "' rewrites it with one row per head");
  return rows;
}

void bookkeeping::apply(pqxx::transaction_base& tx, const version_change& change) {
  for (const auto& c : bookkeeping_sql::version_row_changes(names_, change)) {
    auto r = exec(tx, c.sql);
    if (c.expect_one_row && r.affected_rows() != 1)
      throw database_error(bookkeeping_sql::unexpected_row_count(
          version_, c.what, std::to_string(r.affected_rows())));
  }
}

void bookkeeping::apply_and_record(pqxx::transaction_base& tx, const version_change& change,
                                   const history_entry& entry) {
  auto combined = bookkeeping_sql::step_bookkeeping(names_, change, entry);
  if (!combined) {
    apply(tx, change);
    record(tx, entry);
    return;
  }
  try {
    exec_prepared(tx, *combined);
  } catch (const pqxx::sql_error& e) {
    if (auto refused = row_count_failure(e.what(), change)) throw database_error(*refused);
    throw;
  }
}

std::optional<std::string> bookkeeping::step_execute(const version_change& change,
                                                     const history_entry& entry) {
  auto combined = bookkeeping_sql::step_bookkeeping(names_, change, entry);
  if (!combined || unnamed_) return std::nullopt;
  const std::string& name = prepared_name(*combined);
  connection_.prepare_now(name);
  std::string sql = "EXECUTE " + bookkeeping_sql::quote_identifier(name) + " (";
  for (size_t i = 0; i < combined->params.size(); ++i) {
    if (i > 0) sql += ", ";
    const auto& value = combined->params[i];
    if (value) {
      bookkeeping_sql::append_quoted_literal(sql, *value);
      sql += "::pg_catalog.text";
    } else {
      sql += "NULL::pg_catalog.text";
    }
  }
  return sql + ")";
}

std::optional<std::string> bookkeeping::row_count_failure(const std::string& error,
                                                          const version_change& change) const {
  auto refusal = bookkeeping_sql::find_row_count_refusal(error);
  if (!refusal) return std::nullopt;
  auto changes = bookkeeping_sql::version_row_changes(names_, change);
  std::string what = refusal->change <= changes.size() ? changes[refusal->change - 1].what
                                                       : "a version row change";
  return bookkeeping_sql::unexpected_row_count(version_, what, std::to_string(refusal->rows));
}

const std::string& bookkeeping::prepared_name(const bookkeeping_sql::statement& s) {
  auto found = prepared_.find(s.text);
  if (found == prepared_.end()) {
    // Prepared statements belong to the connection, which other bookkeeping
    // objects may share: the name follows from the text, so that they agree
    // (libpqxx accepts preparing the same name with the same text again).
    // Generated text holds no carriage return, which the checksum would fold.
    std::string name = "migration_tools_" + migration_checksum(s.text).substr(0, 40) + "_" +
                       std::to_string(prepared_generation_);
    connection_.prepare(name, s.text);
    found = prepared_.emplace(s.text, name).first;
  }
  return found->second;
}

pqxx::result bookkeeping::exec_prepared(pqxx::transaction_base& tx,
                                        const bookkeeping_sql::statement& s) {
  if (unnamed_) return tx.exec_params(s.text, pqxx::prepare::make_dynamic_params(param_values(s)));
  return tx.exec_prepared(prepared_name(s), pqxx::prepare::make_dynamic_params(param_values(s)));
}

void bookkeeping::record(pqxx::transaction_base& tx, const history_entry& e) {
  exec(tx, bookkeeping_sql::insert_history_row(names_, e));
}

pqxx::result bookkeeping::checksum_rows(pqxx::transaction_base& tx) {
  return tx.exec(bookkeeping_sql::select_checksum_rows(names_));
}

recorded_checksum bookkeeping::recorded_checksum_at(pqxx::transaction_base& tx, long long id) {
  auto r = exec(tx, bookkeeping_sql::select_recorded_checksum(names_, id)).at(0);
  return {r[0].c_str(), r[1].c_str(), r[2].c_str(), r[3].c_str(), r[4].c_str()};
}

std::vector<progress_row> bookkeeping::progress_rows() {
  pqxx::nontransaction tx(connection_);
  std::vector<progress_row> rows;
  if (!exec(tx, bookkeeping_sql::progress_table_exists(names_))[0][0].as<bool>()) return rows;
  for (const auto& r : tx.exec(bookkeeping_sql::select_progress_rows(names_))) {
    progress_row row;
    row.statement = {r[0].c_str(),   r[1].c_str(), r[2].as<int>(),
                     r[3].as<int>(), r[4].c_str(), r[5].is_null() ? "" : r[5].c_str()};
    row.started_at = r[6].c_str();
    row.finished_at = r[7].is_null() ? "" : r[7].c_str();
    row.error = r[8].is_null() ? "" : r[8].c_str();
    rows.push_back(std::move(row));
  }
  return rows;
}

void bookkeeping::progress_started(const bookkeeping_sql::progress_statement& s) {
  pqxx::nontransaction tx(connection_);
  exec(tx, bookkeeping_sql::progress_started(names_, s));
}

void bookkeeping::progress_finished(const bookkeeping_sql::progress_statement& s) {
  pqxx::nontransaction tx(connection_);
  exec(tx, bookkeeping_sql::progress_finished(names_, s));
}

void bookkeeping::progress_failed(const bookkeeping_sql::progress_statement& s,
                                  const std::string& error) {
  pqxx::nontransaction tx(connection_);
  exec(tx, bookkeeping_sql::progress_failed(names_, s, error));
}

void bookkeeping::clear_progress(pqxx::transaction_base& tx, const std::string& revision) {
  exec(tx, bookkeeping_sql::delete_progress_rows(names_, revision));
}

void bookkeeping::clear_all_progress(pqxx::transaction_base& tx) {
  tx.exec0(bookkeeping_sql::delete_all_progress_rows(names_));
}

}  // namespace migration_tools
