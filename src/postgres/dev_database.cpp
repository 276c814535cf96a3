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
#include <cctype>
#include <cerrno>
#include <cstring>
#include <pqxx/pqxx>
#include <vector>

#include "migration_tools/core/file_io.hpp"
#include "migration_tools/core/text.hpp"
#include "migration_tools/postgres/errors.hpp"
#include "migration_tools/postgres/private_directory.hpp"

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

// The account that owns the cluster's folders: the server's.
struct folder_owner {
  uid_t uid;
  gid_t gid;
};
folder_owner cluster_owner() {
  if (const passwd* pw = server_account()) return {pw->pw_uid, pw->pw_gid};
  return {::geteuid(), ::getegid()};
}

void close_descriptors_from(int first) {
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 34))
  if (::close_range(static_cast<unsigned>(first), ~0U, 0) == 0) return;
#endif
  long max = ::sysconf(_SC_OPEN_MAX);
  if (max < 0 || max > 65536) max = 65536;
  for (int fd = first; fd < max; ++fd) ::close(fd);
}

// In a child: becomes the server account when the runner is root. Files in
// the cluster's folders are only ever opened after this, so that the account
// that controls those folders cannot point root at a file of root's.
void become_server_account(const passwd* pw) {
  if (pw && (::initgroups(pw->pw_name, pw->pw_gid) != 0 || ::setgid(pw->pw_gid) != 0 ||
             ::setuid(pw->pw_uid) != 0))
    ::_exit(126);
}

// Runs a program (as the server account when root) with its output appended
// to `log`, which the child opens after dropping privileges and never
// through a symbolic link. `env` is added to the environment. No shell is
// involved.
int run_program(const std::vector<std::string>& args, const std::string& log,
                const std::vector<std::pair<std::string, std::string>>& env = {}) {
  const passwd* pw = server_account();
  pid_t pid = ::fork();
  if (pid < 0) throw database_error(std::string("fork failed: ") + std::strerror(errno));
  if (pid == 0) {
    become_server_account(pw);
    int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW, 0600);
    if (fd < 0) fd = ::open("/dev/null", O_WRONLY);
    int null = ::open("/dev/null", O_RDONLY);
    if (fd >= 0) {
      ::dup2(fd, 1);
      ::dup2(fd, 2);
    }
    if (null >= 0) ::dup2(null, 0);
    // The server outlives this process: it must not keep any other descriptor
    // open, such as the pipe by which ninja or ctest waits for the runner to end.
    close_descriptors_from(3);
    for (const auto& [name, value] : env) ::setenv(name.c_str(), value.c_str(), 1);
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

// "" for a name without a folder, else the folder part ("" for "/x").
std::string parent_of(const std::string& path) {
  auto slash = path.find_last_of('/');
  return slash == std::string::npos ? "" : path.substr(0, slash);
}

// The last 2000 bytes of a regular file, never through a symbolic link; as
// root, read by the server account (the folder is that account's).
std::string tail_of(const std::string& path) {
  int fds[2];
  if (::pipe(fds) != 0) return "";
  pid_t pid = ::fork();
  if (pid < 0) {
    ::close(fds[0]);
    ::close(fds[1]);
    return "";
  }
  if (pid == 0) {
    ::close(fds[0]);
    become_server_account(server_account());
    int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW);
    struct stat st {};
    if (fd < 0 || ::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) ::_exit(1);
    if (st.st_size > 2000) ::lseek(fd, st.st_size - 2000, SEEK_SET);
    char buf[4096];
    ssize_t n;
    while ((n = ::read(fd, buf, sizeof buf)) > 0)
      if (::write(fds[1], buf, static_cast<size_t>(n)) != n) break;
    ::_exit(0);
  }
  ::close(fds[1]);
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(fds[0], buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  ::close(fds[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return out;
}

// Only these characters in a socket path: it goes into the server's options
// (through pg_ctl's shell) and into a URL.
bool is_plain_path(const std::string& path) {
  for (char c : path)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '/' || c == '.' || c == '_' ||
          c == '-'))
      return false;
  return true;
}

// Serialises cluster creation and start-up between runners started together.
class file_lock {
 public:
  explicit file_lock(const std::string& path)
      : fd_(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600)) {
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

std::string dev_database::socket_note() const {
  return directory_ + ".socket-directory";
}

std::string dev_database::socket_directory() const {
  // A Unix socket path is limited to 107 bytes, and it is handed to the
  // server's options: inside the cluster's folder when short and plain,
  // else in a private directory with an unpredictable name, remembered
  // beside the cluster's folder (in the build tree, never in a folder the
  // server account controls).
  std::string inside = directory_ + "/socket";
  if (inside.size() + sizeof("/.s.PGSQL.5432") <= 100 && is_plain_path(inside)) return inside;
  try {
    return std::string(trim(read_file(socket_note())));
  } catch (const std::exception&) {
    return "";  // not chosen yet
  }
}

std::string dev_database::prepare_socket_directory() const {
  auto owner = cluster_owner();
  std::string chosen = socket_directory();
  if (chosen == directory_ + "/socket") {
    make_private_directory(chosen, owner.uid, owner.gid);
    return chosen;
  }
  if (!chosen.empty()) {
    std::string problem = private_directory_problem(chosen, owner.uid);
    if (problem.empty() && is_plain_path(chosen)) return chosen;
    if (problem != "missing")
      throw database_error("refusing the development database's socket directory '" + chosen +
                           "' (named in " + socket_note() + "): " + problem +
                           ". Remove that file to have a new private directory made");
  }
  chosen = make_unpredictable_directory(owner.uid, owner.gid);
  write_file(socket_note(), chosen + "\n");
  return chosen;
}

// The cluster's port, pinned: it names the socket file (.s.PGSQL.<port>), and
// a PGPORT in the environment must not move the server at start or the
// runner's connections afterwards.
constexpr const char* dev_port = "5432";

std::string dev_database::url() const {
  return "postgresql:///" + database_ + "?host=" + socket_directory() + "&port=" + dev_port +
         "&user=postgres";
}

bool dev_database::running() const {
  if (::access((data_directory() + "/PG_VERSION").c_str(), F_OK) != 0) return false;
  std::string bindir = postgres_bindir();
  return run_program({bindir + "/pg_ctl", "status", "-D", data_directory()}, "/dev/null") == 0;
}

void dev_database::initialise() const {
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
  std::string socket = prepare_socket_directory();
  std::string log = directory_ + "/server.log";
  std::string bindir = postgres_bindir();
  // pg_ctl runs the server through /bin/sh, quoting the data directory and
  // log file in double quotes, where '$' and '`' still expand: the data
  // directory goes by PGDATA and the output to pg_ctl's own (the log the
  // child opened), so that no path of the build tree reaches the shell.
  // The socket path is plain (is_plain_path).
  int rc =
      run_program({bindir + "/pg_ctl", "start", "-w", "-t", "60", "-o",
                   "-c listen_addresses='' -p " + std::string(dev_port) + " -k '" + socket + "'"},
                  log, {{"PGDATA", data_directory()}});
  if (rc != 0)
    throw database_error("the development database in '" + data_directory() +
                         "' did not start (exit " + std::to_string(rc) + "); the end of its log, " +
                         log + ":\n" + tail_of(log));
}

void dev_database::create_database() const {
  pqxx::connection admin("postgresql:///postgres?host=" + socket_directory() + "&port=" + dev_port +
                         "&user=postgres");
  pqxx::nontransaction tx(admin);
  if (!tx.exec_params("SELECT 1 FROM pg_catalog.pg_database WHERE datname = $1::pg_catalog.name",
                      database_)
           .empty())
    return;
  try {
    tx.exec0("CREATE DATABASE " + admin.quote_name(database_));
  } catch (const pqxx::sql_error& e) {
    if (e.sqlstate() != "42P04") throw;  // created by a runner started at the same time
  }
}

std::string dev_database::ensure_running() {
  // Every folder of the cluster is private to the server's account: the
  // server trusts every connection on its socket.
  if (!parent_of(directory_).empty()) make_directories(parent_of(directory_));
  auto owner = cluster_owner();
  make_private_directory(directory_, owner.uid, owner.gid);
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
