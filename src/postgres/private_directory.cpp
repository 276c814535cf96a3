#include "migration_tools/postgres/private_directory.hpp"

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "migration_tools/postgres/errors.hpp"

namespace migration_tools {

namespace {

std::string account_name(uid_t uid) {
  if (const passwd* pw = ::getpwuid(uid)) return pw->pw_name;
  return "uid " + std::to_string(uid);
}

std::string mode_text(mode_t mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(mode & 07777));
  return buf;
}

}  // namespace

std::string private_directory_problem(const std::string& path, uid_t owner) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0)
    return errno == ENOENT ? "missing" : std::string("cannot inspect it: ") + std::strerror(errno);
  if (S_ISLNK(st.st_mode)) return "it is a symbolic link";
  if (!S_ISDIR(st.st_mode)) return "it is not a directory";
  if (st.st_uid != owner)
    return "it belongs to " + account_name(st.st_uid) + ", not to " + account_name(owner);
  if ((st.st_mode & 077) != 0)
    return "its mode is " + mode_text(st.st_mode) + ": other accounts may use it (0700 expected)";
  return "";
}

void make_private_directory(const std::string& path, uid_t owner, gid_t group) {
  if (::mkdir(path.c_str(), 0700) == 0) {
    if (::geteuid() != owner && ::chown(path.c_str(), owner, group) != 0)
      throw database_error("cannot hand '" + path + "' to " + account_name(owner) + ": " +
                           std::strerror(errno));
  } else if (errno != EEXIST) {
    throw database_error("cannot create directory '" + path + "': " + std::strerror(errno));
  }
  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == owner &&
      (st.st_mode & 077) != 0)
    ::chmod(path.c_str(), 0700);  // made by an older version, or by hand, by its owner
  std::string problem = private_directory_problem(path, owner);
  if (!problem.empty())
    throw database_error("refusing the development database directory '" + path + "': " + problem +
                         ". The server in it trusts every local connection, so only " +
                         account_name(owner) +
                         " may own and enter it; remove it (or set MIGRATION_TOOLS_DEV_DB_DIR) "
                         "and run again");
}

std::string make_unpredictable_directory(uid_t owner, gid_t group) {
  std::string base = "/tmp";
  const char* runtime = std::getenv("XDG_RUNTIME_DIR");
  if (runtime && *runtime && runtime[0] == '/' &&
      private_directory_problem(runtime, ::geteuid()).empty() && ::geteuid() == owner)
    base = runtime;
  std::string pattern = base + "/mt-pg-XXXXXX";
  std::vector<char> buf(pattern.begin(), pattern.end());
  buf.push_back('\0');
  if (!::mkdtemp(buf.data()))
    throw database_error("cannot create a socket directory under " + base + ": " +
                         std::strerror(errno));
  std::string path(buf.data());
  if (::geteuid() != owner && ::chown(path.c_str(), owner, group) != 0)
    throw database_error("cannot hand '" + path + "' to " + account_name(owner) + ": " +
                         std::strerror(errno));
  return path;
}

}  // namespace migration_tools
