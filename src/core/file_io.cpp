#include "migration_tools/core/file_io.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "migration_tools/core/diagnostic.hpp"

namespace migration_tools {

namespace {

std::string reason(int code) {
  return std::strerror(code);
}

[[noreturn]] void cannot_write(const std::string& path, int code) {
  throw error("cannot write file '" + path + "': " + reason(code));
}

// A file descriptor closed on every way out.
class descriptor {
 public:
  explicit descriptor(int fd) : fd_(fd) {}
  ~descriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  descriptor(const descriptor&) = delete;
  descriptor& operator=(const descriptor&) = delete;
  int get() const { return fd_; }
  // Closes now, reporting the error close() may be the first to see (NFS).
  int close() {
    int fd = fd_;
    fd_ = -1;
    return ::close(fd) == 0 ? 0 : errno;
  }

 private:
  int fd_;
};

// Writes everything or returns the errno of the first failure. A file over
// the process's size limit is EFBIG, not a SIGXFSZ death.
int write_all(int fd, const std::string& content) {
  static const bool xfsz_ignored = [] {
    ::signal(SIGXFSZ, SIG_IGN);
    return true;
  }();
  (void)xfsz_ignored;
  size_t done = 0;
  while (done < content.size()) {
    ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    if (n == 0) return EIO;
    done += static_cast<size_t>(n);
  }
  return 0;
}

// A FIFO, a terminal, a device: written where it is, as a shell's '>' would.
void write_in_place(const std::string& path, const std::string& content, bool regular) {
  descriptor fd(::open(path.c_str(), O_WRONLY | O_NOCTTY | O_CLOEXEC | (regular ? O_TRUNC : 0)));
  if (fd.get() < 0) cannot_write(path, errno);
  if (int e = write_all(fd.get(), content)) cannot_write(path, e);
  if (int e = fd.close()) cannot_write(path, e);
}

std::string directory_of(const std::string& path) {
  auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

mode_t new_file_mode() {
  mode_t mask = ::umask(0);
  ::umask(mask);
  return static_cast<mode_t>(0666 & ~mask);
}

void replace_atomically(const std::string& path, const std::string& content,
                        const struct stat* existing, bool durable) {
  std::string directory = directory_of(path);
  std::string base = path.substr(path.rfind('/') == std::string::npos ? 0 : path.rfind('/') + 1);
  std::string temporary = directory + "/." + base + ".tmp.XXXXXX";
  // mkostemp creates with O_CREAT|O_EXCL: a planted name, link or not, is
  // never opened, and the name cannot be guessed ahead.
  int raw = ::mkostemp(temporary.data(), O_CLOEXEC);
  if (raw < 0) cannot_write(path, errno);
  descriptor fd(raw);
  auto fail = [&](int code) {
    ::unlink(temporary.c_str());
    cannot_write(path, code);
  };
  mode_t mode = existing ? (existing->st_mode & 07777) : new_file_mode();
  if (::fchmod(fd.get(), mode) != 0) fail(errno);
  if (int e = write_all(fd.get(), content)) fail(e);
  if (durable && ::fsync(fd.get()) != 0) fail(errno);
  if (int e = fd.close()) fail(e);
  if (::rename(temporary.c_str(), path.c_str()) != 0) fail(errno);
  if (!durable) return;
  // The rename itself survives a crash once the directory is synced.
  descriptor dir(::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir.get() >= 0) ::fsync(dir.get());
}

bool under_system_directory(const std::string& path) {
  return path.rfind("/dev/", 0) == 0 || path.rfind("/proc/", 0) == 0;
}

}  // namespace

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw error("cannot open file '" + path + "': " + std::strerror(errno));
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) throw error("cannot read file '" + path + "'");
  return std::move(buffer).str();
}

std::string read_private_file(const std::string& path, const std::string& what,
                              std::size_t max_size, uid_t me) {
  // O_NONBLOCK: opening a FIFO must not wait for a writer.
  descriptor fd(::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC));
  if (fd.get() < 0)
    throw usage_error("cannot read the " + what + " '" + path + "': " + reason(errno));
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0)
    throw usage_error("cannot read the " + what + " '" + path + "': " + reason(errno));
  if (!S_ISREG(st.st_mode))
    throw usage_error("refusing the " + what + " '" + path +
                      "': it is not a regular file (a FIFO, a device or a directory); give "
                      "the path of a file");
  if (st.st_uid != me && st.st_uid != 0)
    throw usage_error("refusing the " + what + " '" + path + "': it belongs to user id " +
                      std::to_string(st.st_uid) + ", not to you (user id " + std::to_string(me) +
                      "), so someone else decides where your credentials go; if you trust "
                      "it, take it over (cp it to a file of your own) or give --url");
  if (st.st_mode & (S_IWGRP | S_IWOTH))
    throw usage_error("refusing the " + what + " '" + path +
                      "': it is writable by group or others, so someone else could decide "
                      "where your credentials go; mend it with: chmod go-w '" +
                      path + "'");
  if (static_cast<std::size_t>(st.st_size) > max_size)
    throw usage_error("refusing the " + what + " '" + path + "': it is " +
                      std::to_string(st.st_size) + " bytes long, more than the " +
                      std::to_string(max_size) + " bytes such a file may have");
  std::string text;
  text.resize(max_size + 1);
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::read(fd.get(), text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw usage_error("cannot read the " + what + " '" + path + "': " + reason(errno));
    if (n == 0) break;
    done += static_cast<size_t>(n);
  }
  if (done > max_size)
    throw usage_error("refusing the " + what + " '" + path + "': it grew past the " +
                      std::to_string(max_size) + " bytes such a file may have");
  text.resize(done);
  return text;
}

void write_file(const std::string& path, const std::string& content, bool durable) {
  if (path.empty()) throw error("cannot write a file without a name");
  struct stat link {};
  if (::lstat(path.c_str(), &link) != 0) {
    if (errno != ENOENT) cannot_write(path, errno);
    return replace_atomically(path, content, nullptr, durable);
  }
  if (S_ISLNK(link.st_mode)) {
    // /dev/stdout, /dev/fd/N: the caller's own descriptors, written in place.
    struct stat target {};
    if (under_system_directory(path) && ::stat(path.c_str(), &target) == 0)
      return write_in_place(path, content, S_ISREG(target.st_mode));
    throw error("refusing to write file '" + path +
                "': it is a symbolic link, and replacing it would write wherever it points; "
                "give the path it points to");
  }
  if (S_ISDIR(link.st_mode)) cannot_write(path, EISDIR);
  if (!S_ISREG(link.st_mode)) return write_in_place(path, content, false);
  replace_atomically(path, content, &link, durable);
}

bool write_file_if_different(const std::string& path, const std::string& content, bool durable) {
  std::ifstream in(path, std::ios::binary);
  if (in) {
    std::ostringstream buffer;
    buffer << in.rdbuf();
    if (buffer.str() == content) return false;
  }
  write_file(path, content, durable);
  return true;
}

void make_directories(const std::string& path) {
  std::error_code failure;
  std::filesystem::create_directories(path, failure);
  if (failure) throw error("cannot create the directory '" + path + "': " + failure.message());
}

}  // namespace migration_tools
