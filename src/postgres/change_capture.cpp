#include "migration_tools/postgres/change_capture.hpp"

namespace migration_tools {

namespace change_capture_sql {
extern const char* const install;
}

bool can_capture_changes(pqxx::connection_base& connection) {
  pqxx::nontransaction tx(connection);
  auto r = tx.exec1(
      "SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = pg_catalog.current_user()");
  return r[0].as<bool>();
}

void install_change_capture(pqxx::connection_base& connection) {
  pqxx::work tx(connection);
  tx.exec0(change_capture_sql::install);
  tx.commit();
}

std::vector<touched_unit> take_touched_units(pqxx::transaction_base& tx) {
  std::vector<touched_unit> out;
  for (const auto& r : tx.exec("SELECT unit, description, unknown FROM mt_capture.take()")) {
    touched_unit t;
    t.unknown = r[2].as<bool>() || r[0].is_null() || r[1].is_null();
    if (!r[0].is_null()) t.unit = r[0].c_str();
    if (!r[1].is_null()) t.description = r[1].c_str();
    out.push_back(std::move(t));
  }
  return out;
}

std::map<std::string, std::string> describe_all_units(pqxx::connection_base& connection) {
  pqxx::nontransaction tx(connection);
  std::map<std::string, std::string> out;
  for (const auto& r : tx.exec("SELECT unit, description FROM mt_capture.all_units()"))
    if (!r[0].is_null() && !r[1].is_null()) out[r[0].c_str()] = r[1].c_str();
  return out;
}

}  // namespace migration_tools
