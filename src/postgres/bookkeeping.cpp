#include "migration_tools/postgres/bookkeeping.hpp"

#include "migration_tools/postgres/errors.hpp"

namespace migration_tools {

namespace {

pqxx::result exec(pqxx::transaction_base& tx, const bookkeeping_sql::statement& s) {
  std::vector<const char*> params;
  params.reserve(s.params.size());
  for (const auto& p : s.params) params.push_back(p ? p->c_str() : nullptr);
  return tx.exec_params(s.text, pqxx::prepare::make_dynamic_params(params));
}

}  // namespace

bookkeeping::bookkeeping(pqxx::connection& connection, bookkeeping_names names)
    : connection_(connection),
      names_(std::move(names)),
      version_(bookkeeping_sql::version_table(names_)),
      history_(bookkeeping_sql::history_table(names_)) {}

bool bookkeeping::exists() {
  pqxx::nontransaction tx(connection_);
  return exec(tx, bookkeeping_sql::version_table_exists(names_))[0][0].as<bool>();
}

void bookkeeping::create() {
  pqxx::work tx(connection_);
  for (const auto& statement : bookkeeping_sql::create_statements(names_)) tx.exec0(statement);
  tx.commit();
}

std::vector<std::string> bookkeeping::version_rows() {
  pqxx::read_transaction tx(connection_);
  return version_rows(tx);
}

std::vector<std::string> bookkeeping::version_rows(pqxx::transaction_base& tx) {
  std::vector<std::string> rows;
  for (const auto& row : tx.exec(bookkeeping_sql::select_version_rows(names_)))
    rows.push_back(row[0].c_str());
  return rows;
}

void bookkeeping::apply(pqxx::transaction_base& tx, const version_change& change) {
  for (const auto& c : bookkeeping_sql::version_row_changes(names_, change)) {
    auto r = exec(tx, c.sql);
    if (c.expect_one_row && r.affected_rows() != 1)
      throw database_error(
          bookkeeping_sql::unexpected_row_count(version_, c.what, std::to_string(r.affected_rows())));
  }
}

void bookkeeping::record(pqxx::transaction_base& tx, const history_entry& e) {
  exec(tx, bookkeeping_sql::insert_history_row(names_, e));
}

}  // namespace migration_tools
