// Servers of the fleet tests beside the `postgres` fixture's cluster: more
// clusters, standbys and PgBouncers, each stopped when its object goes out
// of scope (and by the `fleet.servers.stop` fixture cleanup whatever
// happens), all on Unix sockets under FLEET_SERVERS_DIR.
#pragma once

#include <catch2/catch.hpp>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "process.hpp"

namespace migration_tools::test {

inline std::string first_line_of(const std::string& text) {
  return text.substr(0, text.find('\n'));
}

class extra_cluster {
 public:
  // A new cluster; with `primary`, a streaming standby of it (pg_basebackup).
  explicit extra_cluster(const std::string& name, const extra_cluster* primary = nullptr)
      : dir_(std::string(FLEET_SERVERS_DIR) + "/" + name) {
    auto r = primary ? run_process({PG_CLUSTER_SCRIPT, "standby", dir_, primary->dir_})
                     : run_process({PG_CLUSTER_SCRIPT, "start", dir_});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
  }
  ~extra_cluster() { run_process({PG_CLUSTER_SCRIPT, "stop", dir_}); }
  extra_cluster(const extra_cluster&) = delete;
  extra_cluster& operator=(const extra_cluster&) = delete;

  // The URL of database `db`, created on a primary if needed.
  std::string url(const std::string& db) const {
    auto r = run_process({PG_CLUSTER_SCRIPT, "url", dir_, db});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    return first_line_of(r.out);
  }
  // The URL of `db` without creating it (a standby is read-only).
  std::string url_of_existing(const std::string& db) const {
    return "postgresql:///" + db + "?host=" + socket() + "&user=postgres";
  }
  std::string socket() const {
    return first_line_of(run_process({PG_CLUSTER_SCRIPT, "socket", dir_}).out);
  }
  void act(const char* action) const {
    auto r = run_process({PG_CLUSTER_SCRIPT, action, dir_});
    INFO(action << ": " << r.err);
    REQUIRE(r.exit_code == 0);
  }

 private:
  std::string dir_;
};

// PgBouncer in transaction mode in front of a cluster's socket, on port 6432.
class pgbouncer {
 public:
  pgbouncer(const std::string& name, const std::string& server_socket)
      : dir_(std::string(FLEET_SERVERS_DIR) + "/" + name) {
    auto r = run_process({PGBOUNCER_SCRIPT, "start", dir_, server_socket});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
  }
  ~pgbouncer() { run_process({PGBOUNCER_SCRIPT, "stop", dir_}); }
  pgbouncer(const pgbouncer&) = delete;
  pgbouncer& operator=(const pgbouncer&) = delete;
  std::string url(const std::string& db) const {
    return "postgresql:///" + db + "?host=" + dir_ + "&port=6432&user=postgres";
  }

 private:
  std::string dir_;
};

inline void execute(const std::string& url, const std::string& sql) {
  pqxx::connection c(url);
  pqxx::nontransaction(c).exec(sql);
}

// The fleet fixture's (tests/db/fixtures/fleet) head, and where a database
// or a tenant schema of it is.
constexpr const char* fleet_head = "fleet_4";

inline std::vector<std::string> rows_of(const std::string& url, const std::string& query) {
  pqxx::connection c(url);
  pqxx::nontransaction tx(c);
  std::vector<std::string> out;
  for (const auto& row : tx.exec(query)) out.push_back(row[0].is_null() ? "" : row[0].c_str());
  return out;
}

inline std::string version_of(const std::string& url, const std::string& schema = "public") {
  auto rows =
      rows_of(url, "SELECT string_agg(version_num, ',') FROM " + schema + ".mt_fleet_version");
  return rows.empty() ? "" : rows.front();
}

// How many times each revision was upgraded, by the history: 1 each when
// every migration ran exactly once (fleet_each_once).
inline std::vector<std::string> upgrade_counts(const std::string& url,
                                               const std::string& schema = "public") {
  return rows_of(url, "SELECT revision || '=' || count(*) FROM " + schema +
                          ".mt_fleet_version_history WHERE direction = 'upgrade' GROUP BY "
                          "revision ORDER BY revision");
}

inline const std::vector<std::string> fleet_each_once = {"fleet_1=1", "fleet_2=1", "fleet_3=1",
                                                         "fleet_4=1"};

inline process_result fleet_runner(std::vector<std::string> args) {
  args.insert(args.begin(), {FLEET_RUNNER, "--color", "never"});
  return run_process(args);
}

}  // namespace migration_tools::test
