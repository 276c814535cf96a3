#include "migration_tools/postgres/scratch_database.hpp"

#include <libpq-fe.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <memory>
#include <pqxx/pqxx>
#include <random>
#include <stdexcept>
#include <thread>

#include "migration_tools/postgres/connection_string.hpp"

namespace migration_tools {

namespace {

std::string random_suffix() {
  std::random_device device;
  static const char hex[] = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < 10; ++i) out += hex[device() % 16];
  return out;
}

std::string this_host() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0) return "unknown";
  return name;
}

// The comment every scratch database carries: a later run on the same host
// drops the databases of runners that are gone.
const char* const scratch_marker = "migration_tools scratch of pid ";

std::string scratch_comment() {
  return scratch_marker + std::to_string(::getpid()) + " on " + this_host();
}

std::string quoted_identifier(PGconn* c, const std::string& name) {
  char* quoted = PQescapeIdentifier(c, name.c_str(), name.size());
  std::string out = quoted ? quoted : "\"\"";
  PQfreemem(quoted);
  return out;
}

bool exec_ok(PGconn* c, const std::string& sql) {
  PGresult* r = PQexec(c, sql.c_str());
  bool ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
  PQclear(r);
  return ok;
}

// Whether the database still exists or a session still creates it: a
// CREATE DATABASE in flight when the runner died commits after a first DROP.
bool still_there(PGconn* c, const std::string& name) {
  const char* params[] = {name.c_str()};
  PGresult* r = PQexecParams(
      c,
      "SELECT (SELECT pg_catalog.count(*) FROM pg_catalog.pg_database WHERE datname "
      "OPERATOR(pg_catalog.=) $1::pg_catalog.name) OPERATOR(pg_catalog.+) "
      "(SELECT pg_catalog.count(*) FROM pg_catalog.pg_stat_activity WHERE pid "
      "OPERATOR(pg_catalog.<>) pg_catalog.pg_backend_pid() AND query OPERATOR(pg_catalog.~~) "
      "('%' OPERATOR(pg_catalog.||) $1::pg_catalog.text OPERATOR(pg_catalog.||) '%'))",
      1, nullptr, params, nullptr, nullptr, 0);
  bool there = PQresultStatus(r) != PGRES_TUPLES_OK || std::string(PQgetvalue(r, 0, 0)) != "0";
  PQclear(r);
  return there;
}

// The watcher: waits for the runner to close its pipe. A 'k' (kept) or 'd'
// (dropped, or never made) first means there is nothing to do; a bare end of
// file means the runner died, and the database goes. It runs in a session of
// its own, so that a signal to the runner's process group (a terminal's
// Ctrl-C, a CI cancel) does not reach it, and ignores the usual ones anyway.
[[noreturn]] void watch(int read_end, const std::string& server_url, const std::string& name) {
  ::setsid();
  ::signal(SIGINT, SIG_IGN);
  ::signal(SIGTERM, SIG_IGN);
  ::signal(SIGHUP, SIG_IGN);
  ::signal(SIGQUIT, SIG_IGN);
  ::signal(SIGPIPE, SIG_IGN);
  char said = 0;
  ssize_t n;
  do {
    n = ::read(read_end, &said, 1);
  } while (n < 0 && errno == EINTR);
  if (n <= 0) {
    if (PGconn* c = PQconnectdb(server_url.c_str()); c) {
      if (PQstatus(c) == CONNECTION_OK) {
        std::string drop =
            "DROP DATABASE IF EXISTS " + quoted_identifier(c, name) + " WITH (FORCE)";
        for (int attempt = 0; attempt < 20; ++attempt) {
          exec_ok(c, drop);
          if (!still_there(c, name)) break;
          std::this_thread::sleep_for(std::chrono::milliseconds(250));
        }
      }
      PQfinish(c);
    }
  }
  ::_exit(0);
}

// Drops the scratch databases this role owns that runners on this host left
// behind when they died before their watcher could act (a reboot, a kill of
// the watcher too). A database whose runner still lives is left alone.
void sweep_dead_runners(pqxx::connection& admin) {
  pqxx::nontransaction tx(admin);
  std::string prefix = scratch_marker;
  std::string suffix = " on " + this_host();
  for (const auto& row :
       tx.exec_params("SELECT d.datname, pg_catalog.shobj_description(d.oid, 'pg_database') "
                      "FROM pg_catalog.pg_database d, pg_catalog.pg_roles r "
                      "WHERE d.datname OPERATOR(pg_catalog.~~) 'mt\\_scratch\\_%' "
                      "AND r.rolname OPERATOR(pg_catalog.=) CURRENT_USER "
                      "AND d.datdba OPERATOR(pg_catalog.=) r.oid "
                      "AND pg_catalog.shobj_description(d.oid, 'pg_database') "
                      "OPERATOR(pg_catalog.~~) ($1::pg_catalog.text OPERATOR(pg_catalog.||) '%')",
                      prefix)) {
    std::string comment = row[1].c_str();
    if (comment.size() <= prefix.size() + suffix.size() ||
        comment.compare(comment.size() - suffix.size(), suffix.size(), suffix) != 0)
      continue;  // another host's: its pids mean nothing here
    std::string pid_text =
        comment.substr(prefix.size(), comment.size() - prefix.size() - suffix.size());
    if (pid_text.find_first_not_of("0123456789") != std::string::npos) continue;
    pid_t pid = static_cast<pid_t>(std::stol(pid_text));
    if (pid <= 0 || pid == ::getpid() || ::kill(pid, 0) == 0 || errno != ESRCH) continue;
    try {
      tx.exec0("DROP DATABASE IF EXISTS " + admin.quote_name(row[0].c_str()) + " WITH (FORCE)");
    } catch (const pqxx::sql_error&) {
      // Another run swept it first.
    }
  }
}

}  // namespace

scratch_database::scratch_database(const std::string& server_url) : server_url_(server_url) {
  name_ = "mt_scratch_" + std::to_string(::getpid()) + "_" + random_suffix();
  url_ = with_database(server_url, name_);
  // The watcher exists before the database does: there is no moment when a
  // kill of the runner would leave the database behind.
  int fds[2];
  if (::pipe(fds) != 0)
    throw std::runtime_error("cannot create a pipe for the scratch database's watcher");
  pid_t pid = ::fork();
  if (pid == 0) {
    ::close(fds[1]);
    watch(fds[0], server_url_, name_);
  }
  ::close(fds[0]);
  if (pid < 0) {
    ::close(fds[1]);
    throw std::runtime_error("cannot start the scratch database's watcher");
  }
  watcher_pipe_ = fds[1];
  watcher_pid_ = pid;
  bool created = false;
  try {
    pqxx::connection admin(server_url);
    sweep_dead_runners(admin);
    pqxx::nontransaction tx(admin);
    std::string name = admin.quote_name(name_);
    tx.exec0("CREATE DATABASE " + name + " TEMPLATE template0");
    created = true;
    // No other role connects to it: what it holds is what this run put there.
    tx.exec0("REVOKE ALL ON DATABASE " + name + " FROM PUBLIC; COMMENT ON DATABASE " + name +
             " IS " + admin.quote(scratch_comment()));
  } catch (...) {
    if (created)
      drop();
    else
      tell_watcher('d');
    finish_watcher();
    throw;
  }
}

void scratch_database::tell_watcher(char said) noexcept {
  if (watcher_pipe_ < 0) return;
  ssize_t ignored = ::write(watcher_pipe_, &said, 1);
  (void)ignored;
}

void scratch_database::drop() noexcept {
  try {
    pqxx::connection admin(server_url_);
    pqxx::nontransaction tx(admin);
    tx.exec0("DROP DATABASE IF EXISTS " + admin.quote_name(name_) + " WITH (FORCE)");
  } catch (...) {
    // The watcher tries again once the pipe closes without a word.
    return;
  }
  tell_watcher('d');
}

void scratch_database::keep_as(const std::string& kept_name) {
  pqxx::connection admin(server_url_);
  pqxx::nontransaction tx(admin);
  tx.exec0("ALTER DATABASE " + admin.quote_name(name_) + " RENAME TO " +
           admin.quote_name(kept_name));
  kept_ = true;
  tell_watcher('k');
  name_ = kept_name;
  url_ = with_database(server_url_, name_);
}

void scratch_database::finish_watcher() noexcept {
  if (watcher_pipe_ >= 0) ::close(watcher_pipe_);
  watcher_pipe_ = -1;
  if (watcher_pid_ > 0) {
    int status = 0;
    while (::waitpid(watcher_pid_, &status, 0) < 0 && errno == EINTR) {
    }
  }
  watcher_pid_ = -1;
}

scratch_database::~scratch_database() {
  if (!kept_) drop();
  finish_watcher();
}

}  // namespace migration_tools
