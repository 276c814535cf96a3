#include "migration_tools/postgres/scratch_database.hpp"

#include <libpq-fe.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <memory>
#include <pqxx/pqxx>
#include <random>
#include <stdexcept>

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

std::string drop_sql(PGconn* c, const std::string& name) {
  char* quoted = PQescapeIdentifier(c, name.c_str(), name.size());
  std::string sql =
      std::string("DROP DATABASE IF EXISTS ") + (quoted ? quoted : "\"\"") + " WITH (FORCE)";
  PQfreemem(quoted);
  return sql;
}

// The watcher: waits for the runner to close its pipe. A 'k' (kept) or 'd'
// (dropped) first means there is nothing to do; a bare end of file means the
// runner died, and the database goes. It ignores the terminal's signals,
// which reach the whole process group.
[[noreturn]] void watch(int read_end, const std::string& server_url, const std::string& name) {
  ::signal(SIGINT, SIG_IGN);
  ::signal(SIGTERM, SIG_IGN);
  ::signal(SIGHUP, SIG_IGN);
  ::signal(SIGQUIT, SIG_IGN);
  char said = 0;
  ssize_t n;
  do {
    n = ::read(read_end, &said, 1);
  } while (n < 0 && errno == EINTR);
  if (n <= 0) {
    if (PGconn* c = PQconnectdb(server_url.c_str()); c) {
      if (PQstatus(c) == CONNECTION_OK) PQclear(PQexec(c, drop_sql(c, name).c_str()));
      PQfinish(c);
    }
  }
  ::_exit(0);
}

}  // namespace

scratch_database::scratch_database(const std::string& server_url) : server_url_(server_url) {
  name_ = "mt_scratch_" + std::to_string(::getpid()) + "_" + random_suffix();
  url_ = with_database(server_url, name_);
  {
    pqxx::connection admin(server_url);
    pqxx::nontransaction tx(admin);
    tx.exec0("CREATE DATABASE " + admin.quote_name(name_) + " TEMPLATE template0");
  }
  int fds[2];
  if (::pipe(fds) != 0) {
    drop();
    throw std::runtime_error("cannot create a pipe for the scratch database's watcher");
  }
  pid_t pid = ::fork();
  if (pid == 0) {
    ::close(fds[1]);
    watch(fds[0], server_url_, name_);
  }
  ::close(fds[0]);
  if (pid < 0) {
    ::close(fds[1]);
    drop();
    throw std::runtime_error("cannot start the scratch database's watcher");
  }
  watcher_pipe_ = fds[1];
  watcher_pid_ = pid;
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
  if (watcher_pipe_ >= 0) {
    char said = 'd';
    ssize_t ignored = ::write(watcher_pipe_, &said, 1);
    (void)ignored;
  }
}

void scratch_database::keep_as(const std::string& kept_name) {
  pqxx::connection admin(server_url_);
  pqxx::nontransaction tx(admin);
  tx.exec0("ALTER DATABASE " + admin.quote_name(name_) + " RENAME TO " +
           admin.quote_name(kept_name));
  kept_ = true;
  if (watcher_pipe_ >= 0) {
    char said = 'k';
    ssize_t ignored = ::write(watcher_pipe_, &said, 1);
    (void)ignored;
  }
  name_ = kept_name;
  url_ = with_database(server_url_, name_);
}

scratch_database::~scratch_database() {
  if (!kept_) drop();
  if (watcher_pipe_ >= 0) ::close(watcher_pipe_);
  if (watcher_pid_ > 0) {
    int status = 0;
    while (::waitpid(watcher_pid_, &status, 0) < 0 && errno == EINTR) {
    }
  }
}

}  // namespace migration_tools
