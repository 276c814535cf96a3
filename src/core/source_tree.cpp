#include "migration_tools/core/source_tree.hpp"

#include <fcntl.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/vfs.h>
#endif

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <functional>

#include "migration_tools/core/migration.hpp"
#include "migration_tools/core/text.hpp"

namespace migration_tools {

void source_listing::add(unsigned tree, int top_fd, std::string_view display, size_t relative_size,
                         long long embedded) {
  files.push_back({tree, top_fd, static_cast<unsigned>(paths.size()),
                   static_cast<unsigned>(display.size()), static_cast<unsigned>(relative_size),
                   embedded});
  paths.append(display).push_back('\0');
}

namespace {

long long nanoseconds(const struct timespec& t) {
  return static_cast<long long>(t.tv_sec) * 1000000000LL + t.tv_nsec;
}

}  // namespace

long long status_change_ns(const struct stat& st) {
  return nanoseconds(st.st_ctim);
}

long long realtime_ns() {
  struct timespec now {};
  ::clock_gettime(CLOCK_REALTIME, &now);
  return nanoseconds(now);
}

long long timestamp_granularity_ns(const std::string& path, const struct stat& st) {
  constexpr long long coarsest = 2000000000LL;
#ifdef __linux__
  struct statfs fs {};
  if (st.st_ctim.tv_nsec == 0 || ::statfs(path.c_str(), &fs) != 0) return coarsest;
  switch (static_cast<unsigned long>(fs.f_type)) {
    case 0xEF53UL:      // ext2, ext3, ext4
    case 0x58465342UL:  // xfs
    case 0x9123683EUL:  // btrfs
    case 0x01021994UL:  // tmpfs
    case 0x794C7630UL:  // overlayfs (containers)
    case 0x2FC12FC1UL:  // zfs
    case 0xF2F52010UL:  // f2fs
      break;
    default:
      return coarsest;  // a network file system's server keeps its own clock
  }
  struct timespec tick {};
  if (::clock_getres(CLOCK_REALTIME_COARSE, &tick) != 0) return coarsest;
  return 2 * nanoseconds(tick);
#else
  (void)path;
  (void)st;
  return coarsest;
#endif
}

long long vouched_change_time(const std::string& path, long long scan_began_ns) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return -1;
  long long changed = status_change_ns(st);
  return changed < scan_began_ns - timestamp_granularity_ns(path, st) ? changed : -1;
}

std::string source_display_path(const std::string& absolute, const std::string& root) {
  if (!root.empty() && starts_with(absolute, root + "/")) return absolute.substr(root.size() + 1);
  return absolute;
}

std::string source_absolute_path(std::string_view display, const std::string& root) {
  return !display.empty() && display.front() == '/' ? std::string(display)
                                                    : root + "/" + std::string(display);
}

size_t source_tree_walk::dev_ino_hash::operator()(const std::pair<dev_t, ino_t>& k) const {
  return std::hash<unsigned long long>()(static_cast<unsigned long long>(k.first) * 1000003ULL ^
                                         static_cast<unsigned long long>(k.second));
}

source_tree_walk::~source_tree_walk() {
  if (top_)
    ::closedir(top_);
  else if (top_fd_ >= 0)
    ::close(top_fd_);
}

void source_tree_walk::list(const std::string& directory, const std::string& display,
                            source_listing& out) {
  if (!top_ && top_fd_ >= 0) {  // opened by open_top, listed after all
    ::close(top_fd_);
    top_fd_ = -1;
  }
  int fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  std::string path = display + "/";
  list_open(fd, path, out);
}

bool source_tree_walk::open_top(const std::string& directory) {
  if (top_fd_ >= 0) return true;
  top_fd_ = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  return top_fd_ >= 0;
}

// Uses the directory descriptors directly (openat, fstatat) instead of
// std::filesystem, which builds a path object for every entry: at 10,000
// migrations that was a third of a `heads`. `display` is the directory's
// display path with a trailing '/'; it is extended in place for each entry
// rather than copied.
void source_tree_walk::list_open(int dir_fd, std::string& display, source_listing& out) {
  struct stat self {};
  if (::fstat(dir_fd, &self) != 0) {
    uncertain_ = true;
    ::close(dir_fd);
    return;
  }
  if (!walked_.insert({self.st_dev, self.st_ino}).second) {
    ::close(dir_fd);
    return;
  }
  DIR* dir = ::fdopendir(dir_fd);
  if (!dir) {
    uncertain_ = true;
    ::close(dir_fd);
    return;
  }
  directories_.push_back({display.substr(0, display.size() - 1), status_change_ns(self)});
  if (!top_) top_ = dir, top_fd_ = ::dirfd(dir), top_prefix_ = display.size();
  size_t prefix = display.size();
  for (;;) {
    errno = 0;  // readdir's end and its failure differ only by errno
    const dirent* entry = ::readdir(dir);
    if (!entry) {
      if (errno != 0) uncertain_ = true;
      break;
    }
    std::string_view name = entry->d_name;
    if (name == "." || name == "..") continue;
    unsigned char type = entry->d_type;
    struct stat st {};
    if (type == DT_UNKNOWN) {
      if (::fstatat(dir_fd, entry->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
        uncertain_ = true;  // gone while listed
        continue;
      }
      type = S_ISDIR(st.st_mode) ? DT_DIR : S_ISLNK(st.st_mode) ? DT_LNK : DT_REG;
    }
    display.resize(prefix);
    display.append(name);
    if (type == DT_LNK) {
      if (::fstatat(dir_fd, entry->d_name, &st, 0) != 0)
        uncertain_ = true;  // leads nowhere, for now
      else if (S_ISDIR(st.st_mode))
        type = DT_DIR;
    }
    if (type == DT_DIR) {
      int sub = ::openat(dir_fd, entry->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      display += '/';
      if (sub >= 0)
        list_open(sub, display, out);
      else
        uncertain_ = true;
      continue;
    }
    if ((type != DT_REG && type != DT_LNK) || !is_migration_path(name)) continue;
    if (sql_only_ && kind_of_path(name) != migration_kind::sql) continue;
    out.add(tree_, top_fd_, display, display.size() - top_prefix_);
  }
  display.resize(prefix);
  if (dir != top_) ::closedir(dir);
}

std::vector<walked_directory> directories_to_record(const std::vector<source_tree>& trees,
                                                    const std::string& root,
                                                    const std::vector<std::string>& embedded,
                                                    long long now_ns) {
  std::vector<walked_directory> out;
  std::vector<std::string> found;
  for (const auto& tree : trees) {
    if (tree.directory.empty()) continue;
    source_tree_walk walk(tree.sql_only);
    source_listing listing;
    walk.list(tree.directory, source_display_path(tree.directory, root), listing);
    if (walk.uncertain() || walk.directories().empty()) return {};
    for (const auto& d : walk.directories()) {
      std::string path = source_absolute_path(d.display, root);
      struct stat st {};
      if (::stat(path.c_str(), &st) != 0 || status_change_ns(st) != d.changed_ns ||
          d.changed_ns >= now_ns - timestamp_granularity_ns(path, st))
        return {};
      out.push_back(d);
    }
    for (const auto& f : listing.files) {
      // The runner compares regular files only; anything else named like a
      // migration is not worth a rule of its own: list at every start.
      struct stat st {};
      if (::fstatat(f.top_fd, listing.relative(f), &st, 0) != 0 || !S_ISREG(st.st_mode)) return {};
      found.emplace_back(listing.path(f));
    }
  }
  // The same files, each once: a file reached by two paths (a linked
  // folder) is embedded once, and is not worth a rule of its own either.
  std::vector<std::string> expected = embedded;
  std::sort(found.begin(), found.end());
  std::sort(expected.begin(), expected.end());
  if (found != expected) return {};
  return out;
}

}  // namespace migration_tools
