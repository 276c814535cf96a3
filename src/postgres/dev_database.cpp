#include "migration_tools/postgres/dev_database.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <pqxx/pqxx>
#include <vector>

#include "migration_tools/core/file_io.hpp"
#include "migration_tools/core/text.hpp"
#include "migration_tools/postgres/errors.hpp"

namespace migration_tools {

namespace {

bool is_executable(const std::string& path) {
  return ::access(path.c_str(), X_OK) == 0;
}

// The directory of initdb and pg_ctl: $MIGRATION_TOOLS_PG_BINDIR, else the
// newest /usr/lib/postgresql/<version>/bin (Debian), else the PATH.
std::string postgres_bindir() {
  if (const char* env = std::getenv("MIGRATION_TOOLS_PG_BINDIR"); env && *env) return env;
  std::vector<int> versions;
  if (DIR* d = ::opendir("/usr/lib/postgresql")) {
    while (dirent* e = ::readdir(d)) {
      int v = std::atoi(e->d_name);
      if (v > 0 && is_executable("/usr/lib/postgresql/" + std::string(e->d_name) + "/bin/pg_ctl"))
        versions.push_back(v);
    }
    ::closedir(d);
  }
  if (!versions.empty())
    return "/usr/lib/postgresql/" +
           std::to_string(*std::max_element(versions.begin(), versions.end())) + "/bin";
  const char* path = std::getenv("PATH");
  std::string p = path ? path : "";
  size_t start = 0;
  while (start <= p.size()) {
    size_t end = p.find(':', start);
    if (end == std::string::npos) end = p.size();
    std::string dir = p.substr(start, end - start);
    if (!dir.empty() && is_executable(dir + "/pg_ctl")) return dir;
    start = end + 1;
  }
  throw database_error(
      "the development database needs PostgreSQL's initdb and pg_ctl, which were not found; "
      "install the 'postgresql' package, set MIGRATION_TOOLS_PG_BINDIR, or pass --url");
}

// PostgreSQL refuses to run as root; then the server runs as `postgres`.
const passwd* server_account() {
  if (::geteuid() != 0) return nullptr;
  const passwd* pw = ::getpwnam("postgres");
  if (!pw)
    throw database_error(
        "running as root, the development database needs a 'postgres' account to run the "
        "server as (PostgreSQL refuses root); install the 'postgresql' package or pass --url");
  return pw;
}

void close_descriptors_from(int first) {
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 34))
  if (::close_range(static_cast<unsigned>(first), ~0U, 0) == 0) return;
#endif
  long max = ::sysconf(_SC_OPEN_MAX);
  if (max < 0 || max > 65536) max = 65536;
  for (int fd = first; fd < max; ++fd) ::close(fd);
}

// Runs a program (as the server account when root) with output to `log`.
int run_program(const std::vector<std::string>& args, const std::string& log) {
  const passwd* pw = server_account();
  pid_t pid = ::fork();
  if (pid < 0) throw database_error(std::string("fork failed: ") + std::strerror(errno));
  if (pid == 0) {
    int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    int null = ::open("/dev/null", O_RDONLY);
    if (fd >= 0) {
      ::dup2(fd, 1);
      ::dup2(fd, 2);
    }
    if (null >= 0) ::dup2(null, 0);
    // The server outlives this process: it must not keep any other descriptor
    // open, such as the pipe by which ninja or ctest waits for the runner to end.
    close_descriptors_from(3);
    if (pw) {
      if (::initgroups(pw->pw_name, pw->pw_gid) != 0 || ::setgid(pw->pw_gid) != 0 ||
          ::setuid(pw->pw_uid) != 0)
        ::_exit(126);
    }
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

void make_directory(const std::string& path) {
  if (::mkdir(path.c_str(), 0700) != 0 && errno != EEXIST)
    throw database_error("cannot create directory '" + path + "': " + std::strerror(errno));
  if (const passwd* pw = server_account()) {
    if (::chown(path.c_str(), pw->pw_uid, pw->pw_gid) != 0)
      throw database_error("cannot hand '" + path +
                           "' to the postgres account: " + std::strerror(errno));
  }
}

void make_directories(const std::string& path) {
  for (size_t pos = 1; (pos = path.find('/', pos)) != std::string::npos; ++pos) {
    std::string part = path.substr(0, pos);
    if (::mkdir(part.c_str(), 0755) != 0 && errno != EEXIST)
      throw database_error("cannot create directory '" + part + "': " + std::strerror(errno));
  }
}

std::string tail_of(const std::string& path) {
  try {
    std::string text = read_file(path);
    return text.size() > 2000 ? text.substr(text.size() - 2000) : text;
  } catch (const std::exception&) {
    return "";
  }
}

// Serialises cluster creation and start-up between runners started together.
class file_lock {
 public:
  explicit file_lock(const std::string& path)
      : fd_(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644)) {
    if (fd_ < 0) throw database_error("cannot open '" + path + "': " + std::strerror(errno));
    while (::flock(fd_, LOCK_EX) != 0 && errno == EINTR) {
    }
  }
  ~file_lock() { ::close(fd_); }
  file_lock(const file_lock&) = delete;
  file_lock& operator=(const file_lock&) = delete;

 private:
  int fd_;
};

}  // namespace

dev_database::dev_database(std::string directory, std::string database)
    : directory_(std::move(directory)), database_(std::move(database)) {}

std::string dev_database::socket_directory() const {
  // A Unix socket path is limited to 107 bytes; deep build trees fall back to /tmp.
  std::string dir = directory_ + "/socket";
  if (dir.size() + sizeof("/.s.PGSQL.5432") <= 100) return dir;
  unsigned long long h = 1469598103934665603ULL;
  for (unsigned char c : directory_) h = (h ^ c) * 1099511628211ULL;
  char buf[64];
  std::snprintf(buf, sizeof buf, "/tmp/migration_tools-%016llx", h);
  return buf;
}

std::string dev_database::url() const {
  return "postgresql:///" + database_ + "?host=" + socket_directory() + "&user=postgres";
}

bool dev_database::running() const {
  if (::access((data_directory() + "/PG_VERSION").c_str(), F_OK) != 0) return false;
  std::string bindir = postgres_bindir();
  return run_program({bindir + "/pg_ctl", "status", "-D", data_directory()}, "/dev/null") == 0;
}

void dev_database::initialise() const {
  make_directories(directory_ + "/");
  make_directory(directory_);
  std::string log = directory_ + "/initdb.log";
  std::string bindir = postgres_bindir();
  int rc = run_program({bindir + "/initdb", "-D", data_directory(), "-U", "postgres",
                        "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync"},
                       log);
  if (rc != 0)
    throw database_error("initdb failed for the development database in '" + data_directory() +
                         "' (exit " + std::to_string(rc) + "):\n" + tail_of(log));
}

void dev_database::start() const {
  std::string socket = socket_directory();
  make_directory(socket);
  std::string log = directory_ + "/server.log";
  std::string bindir = postgres_bindir();
  int rc = run_program({bindir + "/pg_ctl", "start", "-w", "-t", "60", "-D", data_directory(), "-l",
                        log, "-o", "-c listen_addresses='' -k " + socket},
                       directory_ + "/pg_ctl.log");
  if (rc != 0)
    throw database_error("the development database in '" + data_directory() +
                         "' did not start (exit " + std::to_string(rc) + "):\n" + tail_of(log));
}

void dev_database::create_database() const {
  pqxx::connection admin("postgresql:///postgres?host=" + socket_directory() + "&user=postgres");
  pqxx::nontransaction tx(admin);
  if (!tx.exec_params("SELECT 1 FROM pg_database WHERE datname = $1", database_).empty()) return;
  try {
    tx.exec0("CREATE DATABASE " + admin.quote_name(database_));
  } catch (const pqxx::sql_error& e) {
    if (e.sqlstate() != "42P04") throw;  // created by a runner started at the same time
  }
}

std::string dev_database::ensure_running() {
  make_directories(directory_ + "/");
  make_directory(directory_);
  file_lock lock(directory_ + "/.lock");
  if (::access((data_directory() + "/PG_VERSION").c_str(), F_OK) != 0) initialise();
  if (!running()) start();
  create_database();
  return url();
}

bool dev_database::stop() {
  if (::access(data_directory().c_str(), F_OK) != 0) return false;  // never created
  file_lock lock(directory_ + "/.lock");
  if (!running()) return false;
  std::string bindir = postgres_bindir();
  int rc = run_program({bindir + "/pg_ctl", "stop", "-w", "-m", "fast", "-D", data_directory()},
                       directory_ + "/pg_ctl.log");
  if (rc != 0)
    throw database_error("pg_ctl stop failed for '" + data_directory() + "':\n" +
                         tail_of(directory_ + "/pg_ctl.log"));
  return true;
}

}  // namespace migration_tools
