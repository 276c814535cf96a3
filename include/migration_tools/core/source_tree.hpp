// The walk of a migrations or declared-schema directory, shared by the
// configure-time scanner and the runner's stale check, so that both see the
// same files: regular files (or links to them) named *.sql or *.cpp, in
// subdirectories too, links to directories included, a directory already
// walked (a link cycle) walked once.
#pragma once

#include <dirent.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

namespace migration_tools {

// The files of one or more walks, compactly: a string each was a tenth of the
// page faults of a `heads` at 1,000 migrations.
struct source_listing {
  struct file {
    unsigned tree;       // the walk's number (source_tree_walk's `tree`)
    int top_fd;          // the walked directory, open while the walk lives
    unsigned path_at;    // the display path's offset in `paths`
    unsigned path_size;  // the last bytes of which are its path below top_fd
    unsigned relative_size;
    long long embedded;  // the runner's index of the file when known, else -1
  };
  std::string paths;  // the display paths, each followed by '\0'
  std::vector<file> files;

  std::string_view path(const file& f) const { return {paths.data() + f.path_at, f.path_size}; }
  const char* relative(const file& f) const {
    return paths.data() + f.path_at + (f.path_size - f.relative_size);
  }
  void add(unsigned tree, int top_fd, std::string_view display, size_t relative_size,
           long long embedded = -1);
};

// A directory a walk went through, with its status change time: adding,
// removing or renaming an entry moves it, and no one can set it back.
struct walked_directory {
  std::string display;  // display path, without a trailing '/'
  long long changed_ns;
};

// How far apart two changes of the file or directory at `path` (whose status
// is `st`) must be to get different status change times. A time newer than a
// scan's start less this may be shared by a change made after the scan
// looked (git's "racily clean" entries), so it vouches for nothing. Twice the
// kernel's clock tick (which stamps changes) on the local file systems known
// to keep nanoseconds; two seconds (FAT's timestamps) on any other, or where
// the time has no fraction of a second (ext4 with small inodes keeps whole
// seconds).
long long timestamp_granularity_ns(const std::string& path, const struct stat& st);

// The status change time (ctime) of `st` in nanoseconds since the epoch.
// Unlike the modification time, no one can set it back: every write moves
// it, and so does `touch -d` or `touch -r` after a write.
long long status_change_ns(const struct stat& st);
// The real-time clock in nanoseconds since the epoch, as status change times
// are: the `now` of a scan.
long long realtime_ns();

// The status change time the scanner embeds for a file it is about to read
// (embedded_file::changed_ns): an edit after the read moves it. -1 when it
// is too recent to vouch for the bytes read: the runner then compares the
// bytes. `scan_began_ns`: the real-time clock when the scan began.
long long vouched_change_time(const std::string& path, long long scan_began_ns);

// The path the scanner and the runner show for `absolute`: relative to the
// project's source directory `root` when inside it.
std::string source_display_path(const std::string& absolute, const std::string& root);
// The inverse: a display path as a path the process can open.
std::string source_absolute_path(std::string_view display, const std::string& root);

class source_tree_walk {
 public:
  // `sql_only` for the declared schema, whose files are *.sql only. `tree`
  // numbers the files it lists.
  explicit source_tree_walk(bool sql_only, unsigned tree = 0) : sql_only_(sql_only), tree_(tree) {}
  source_tree_walk(const source_tree_walk&) = delete;
  source_tree_walk& operator=(const source_tree_walk&) = delete;
  ~source_tree_walk();

  // Lists `directory`, whose display path is `display`, into `out`. The
  // first directory stays open until the walk ends, and files are listed by
  // their path below it: a subdirectory is closed once listed, so that a
  // tree of many needs no more descriptors than it is deep. A directory that
  // is not there lists nothing.
  void list(const std::string& directory, const std::string& display, source_listing& out);
  // Opens `directory` as the top without listing it: for files whose paths
  // the caller knows. False when it cannot be opened.
  bool open_top(const std::string& directory);
  int top_fd() const { return top_fd_; }

  // Every directory listed, the first one first.
  const std::vector<walked_directory>& directories() const { return directories_; }
  // Whether a later listing could find more though no directory changed:
  // an entry vanished while it was listed, a link led nowhere (its target
  // may appear), or a directory could not be opened or read.
  bool uncertain() const { return uncertain_; }

 private:
  void list_open(int dir_fd, std::string& display, source_listing& out);

  struct dev_ino_hash {
    size_t operator()(const std::pair<dev_t, ino_t>& k) const;
  };
  bool sql_only_;
  unsigned tree_;
  std::unordered_set<std::pair<dev_t, ino_t>, dev_ino_hash> walked_;
  std::vector<walked_directory> directories_;
  bool uncertain_ = false;
  DIR* top_ = nullptr;  // the first directory listed
  int top_fd_ = -1;
  size_t top_prefix_ = 0;  // the length of its display path, with the '/'
};

// What the scanner records so that a runner can skip listing its
// directories (source_tree_walk) at start: every directory of the trees,
// when listing them now finds exactly the files `embedded` (display paths)
// and nothing uncertain, and each directory's status change time is older
// than `now_ns` (the real-time clock, read before the walk) by more than its
// timestamp_granularity_ns, so that any change after the walk moves it.
// Empty otherwise: the runner then lists, as it always did.
struct source_tree {
  std::string directory;  // absolute; "" for none
  bool sql_only;
};
std::vector<walked_directory> directories_to_record(const std::vector<source_tree>& trees,
                                                    const std::string& root,
                                                    const std::vector<std::string>& embedded,
                                                    long long now_ns);

}  // namespace migration_tools
