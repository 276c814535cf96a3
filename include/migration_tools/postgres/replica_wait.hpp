// Waiting for streaming standbys to replay what the primary committed
// (--wait-for-replicas), so that a deploy does not move on while readers of
// a standby still see the old schema.
#pragma once

#include <chrono>
#include <pqxx/pqxx>
#include <string>
#include <vector>

namespace migration_tools {

struct standby_position {
  std::string name;                // application_name, else the client address, else the pid
  std::string state;               // streaming, catchup, ...
  long long behind_bytes = 0;      // WAL not yet replayed of what had to be
  double replay_lag_seconds = -1;  // pg_stat_replication.replay_lag; -1 unknown
};

struct replica_wait {
  bool caught_up = true;
  std::vector<standby_position> standbys;  // as last seen (all of them)
  std::chrono::milliseconds waited{0};
};

// Reads the primary's current WAL position, then polls pg_stat_replication
// until every standby listed there has replayed it, up to `patience`.
// Throws database_error when the role cannot read the standbys' positions
// (pg_monitor) or the server is itself a standby.
replica_wait wait_for_replicas(pqxx::connection& connection, std::chrono::milliseconds patience);

// "walreceiver (streaming): 1234 bytes behind, replay lag 1.2 s"
std::string describe_standby(const standby_position& s);

}  // namespace migration_tools
