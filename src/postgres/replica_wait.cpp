#include "migration_tools/postgres/replica_wait.hpp"

#include <fmt/format.h>

#include <thread>

#include "migration_tools/core/diagnostic.hpp"
#include "migration_tools/postgres/errors.hpp"

namespace migration_tools {

namespace {

// Every walsender's position against `target`; a row whose state is hidden
// (NULL) is one the role may not see.
constexpr const char* standby_positions =
    "SELECT pg_catalog.concat(r.application_name, CASE WHEN r.application_name = '' THEN "
    "  pg_catalog.concat(r.client_addr::pg_catalog.text, ' pid ', r.pid::pg_catalog.text) END),"
    " r.state,"
    " pg_catalog.pg_wal_lsn_diff($1::pg_catalog.pg_lsn, r.replay_lsn)::pg_catalog.int8,"
    " pg_catalog.date_part('epoch', r.replay_lag)::pg_catalog.float8"
    " FROM pg_catalog.pg_stat_replication r ORDER BY 1";

}  // namespace

std::string describe_standby(const standby_position& s) {
  std::string out = s.name + " (" + s.state + "): ";
  out += s.behind_bytes > 0   ? std::to_string(s.behind_bytes) + " bytes behind"
         : s.behind_bytes < 0 ? "no replay position yet"
                              : "caught up";
  if (s.replay_lag_seconds >= 0)
    out += fmt::format(FMT_STRING(", replay lag {:.1f} s"), s.replay_lag_seconds);
  return out;
}

replica_wait wait_for_replicas(pqxx::connection& connection, std::chrono::milliseconds patience) {
  auto started = std::chrono::steady_clock::now();
  std::string target;
  {
    pqxx::nontransaction tx(connection);
    if (tx.exec("SELECT pg_catalog.pg_is_in_recovery()")[0][0].as<bool>())
      throw database_error(
          "--wait-for-replicas: the database is a standby (in recovery); migrate its primary");
    target = tx.exec("SELECT pg_catalog.pg_current_wal_lsn()::pg_catalog.text")[0][0].c_str();
  }
  auto pause = std::chrono::milliseconds(10);
  replica_wait out;
  for (;;) {
    out.standbys.clear();
    out.caught_up = true;
    {
      pqxx::nontransaction tx(connection);
      for (const auto& row : tx.exec_params(standby_positions, target)) {
        if (row[1].is_null())
          throw database_error(
              "--wait-for-replicas: the role cannot read the standbys' positions in "
              "pg_stat_replication (they are hidden from it); grant it pg_monitor "
              "(GRANT pg_monitor TO <role>)");
        standby_position s;
        s.name = row[0].c_str();
        s.state = row[1].c_str();
        // No replay position yet (a standby still starting): all of it is to replay.
        s.behind_bytes = row[2].is_null() ? -1 : row[2].as<long long>();
        s.replay_lag_seconds = row[3].is_null() ? -1 : row[3].as<double>();
        if (s.behind_bytes != 0) out.caught_up = false;
        out.standbys.push_back(std::move(s));
      }
    }
    out.waited = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - started);
    if (out.caught_up || out.waited >= patience) return out;
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::milliseconds(200));
  }
}

}  // namespace migration_tools
