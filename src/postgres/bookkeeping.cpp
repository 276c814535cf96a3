#include "migration_tools/postgres/bookkeeping.hpp"

#include <algorithm>

#include "migration_tools/postgres/errors.hpp"

namespace migration_tools {

bookkeeping::bookkeeping(pqxx::connection& connection, bookkeeping_names names)
    : connection_(connection), names_(std::move(names)) {
  std::string schema = connection_.quote_name(names_.schema);
  version_ = schema + "." + connection_.quote_name(names_.version_table);
  history_ = schema + "." + connection_.quote_name(names_.history_table());
}

bool bookkeeping::exists() {
  pqxx::nontransaction tx(connection_);
  auto r = tx.exec_params("SELECT to_regclass($1) IS NOT NULL", version_);
  return r[0][0].as<bool>();
}

void bookkeeping::create() {
  pqxx::work tx(connection_);
  tx.exec0("CREATE SCHEMA IF NOT EXISTS " + connection_.quote_name(names_.schema));
  tx.exec0("CREATE TABLE IF NOT EXISTS " + version_ +
           " (version_num text NOT NULL PRIMARY KEY)");
  tx.exec0("CREATE TABLE IF NOT EXISTS " + history_ +
           " (id bigserial PRIMARY KEY,"
           " revision text NOT NULL,"
           " direction text NOT NULL"
           "   CHECK (direction IN ('upgrade', 'downgrade', 'stamp', 'failure')),"
           " checksum text,"
           " file text,"
           " started_at timestamptz NOT NULL,"
           " finished_at timestamptz NOT NULL,"
           " duration_ms double precision NOT NULL,"
           " db_user text NOT NULL DEFAULT current_user,"
           " error text)");
  tx.commit();
}

std::vector<std::string> bookkeeping::version_rows() {
  pqxx::read_transaction tx(connection_);
  return version_rows(tx);
}

std::vector<std::string> bookkeeping::version_rows(pqxx::transaction_base& tx) {
  std::vector<std::string> rows;
  for (const auto& row : tx.exec("SELECT version_num FROM " + version_ + " ORDER BY version_num"))
    rows.push_back(row[0].c_str());
  return rows;
}

void bookkeeping::apply(pqxx::transaction_base& tx, const version_change& change) {
  auto expect_one = [&](const pqxx::result& r, const std::string& what) {
    if (r.affected_rows() != 1)
      throw database_error("version table " + version_ + " changed under this run: " + what +
                           " touched " + std::to_string(r.affected_rows()) +
                           " rows instead of 1; nothing of this step was kept");
  };
  for (const auto& rev : change.deletes)
    expect_one(tx.exec_params("DELETE FROM " + version_ + " WHERE version_num = $1", rev),
               "deleting '" + rev + "'");
  if (!change.update_from.empty())
    expect_one(tx.exec_params("UPDATE " + version_ + " SET version_num = $2 WHERE version_num = $1",
                              change.update_from, change.update_to),
               "moving '" + change.update_from + "' to '" + change.update_to + "'");
  for (const auto& rev : change.inserts)
    tx.exec_params("INSERT INTO " + version_ + " (version_num) VALUES ($1)", rev);
}

void bookkeeping::record(pqxx::transaction_base& tx, const history_entry& e) {
  auto nullable = [](const std::string& s) { return s.empty() ? nullptr : s.c_str(); };
  tx.exec_params("INSERT INTO " + history_ +
                     " (revision, direction, checksum, file, started_at, finished_at,"
                     " duration_ms, error) VALUES ($1, $2, $3, $4, now(), clock_timestamp(),"
                     " extract(epoch FROM clock_timestamp() - now()) * 1000, $5)",
                 e.revision, e.direction, nullable(e.checksum), nullable(e.file),
                 nullable(e.error));
}

}  // namespace migration_tools
