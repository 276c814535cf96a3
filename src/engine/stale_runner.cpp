#include "stale_runner.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <exception>
#include <mutex>
#include <string_view>
#include <system_error>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "embedded_migrations.hpp"
#include "migration_tools/core/file_io.hpp"
#include "migration_tools/core/migration.hpp"
#include "migration_tools/core/text.hpp"

namespace migration_tools::engine {

namespace {

// The same display path the scanner gives a file (relative to the project).
std::string display_path(const std::string& absolute, const std::string& root) {
  if (!root.empty() && starts_with(absolute, root + "/")) return absolute.substr(root.size() + 1);
  return absolute;
}

std::string absolute_path(std::string_view display, const std::string& root) {
  return !display.empty() && display.front() == '/' ? std::string(display)
                                                    : root + "/" + std::string(display);
}

// The status change time: an edit that sets the modification time back (touch
// -r, an editor keeping it) still moves this one.
long long ctime_ns(const struct stat& st) {
  return static_cast<long long>(st.st_ctim.tv_sec) * 1000000000LL + st.st_ctim.tv_nsec;
}

// The files a listing found, compactly: a string each was a tenth of the
// page faults of a `heads` at 1,000 migrations.
struct listing {
  struct file {
    class source_walk* walk;
    int top_fd;          // the walked directory, open until the check ends
    unsigned path_at;    // its display path in `paths`
    unsigned path_size;  // the last bytes of which are its path below top_fd
    unsigned relative_size;
  };
  std::string paths;  // the display paths, each followed by '\0'
  std::vector<file> files;

  std::string_view path(const file& f) const { return {paths.data() + f.path_at, f.path_size}; }
  const char* relative(const file& f) const {
    return paths.data() + f.path_at + (f.path_size - f.relative_size);
  }
};

// Every start of a runner compares its sources with what it embeds, so the
// walk uses the directory descriptors directly (openat, fstatat) instead of
// std::filesystem, which builds a path object for every entry: at 10,000
// migrations that was a third of a `heads`. Listing the directories and
// comparing the files are apart, so that two threads can compare.
class source_walk {
 public:
  // `files`: what the runner embeds from the walked directory; `sql_only`
  // for the declared schema, whose files are *.sql only.
  // `root`: the project's source directory, which display paths are
  // relative to.
  source_walk(const std::string& root, const embedded_file* files, size_t count, bool sql_only)
      : root_(root), files_(files), count_(count), sql_only_(sql_only), seen_(count, 0) {
    embedded_.reserve(count);
    for (size_t i = 0; i < count; ++i) embedded_.emplace(files[i].path, i);
  }
  source_walk(const source_walk&) = delete;
  source_walk& operator=(const source_walk&) = delete;
  ~source_walk() {
    if (top_) ::closedir(top_);
  }

  // Like the scanner's glob: regular files (or links to them) named *.sql or
  // *.cpp, in subdirectories too, links to directories included; a
  // directory already walked (a link cycle) is not walked again. The files
  // found go to `out`, by their path below the first directory listed, which
  // stays open until the walk ends (a subdirectory is closed once listed, so
  // that a tree of many needs no more descriptors than it is deep).
  // `display` is the directory's display path with a trailing '/'; it is
  // extended in place for each entry rather than copied.
  void list(int dir_fd, std::string& display, listing& out) {
    struct stat self {};
    if (::fstat(dir_fd, &self) != 0 || !walked_.insert({self.st_dev, self.st_ino}).second) {
      ::close(dir_fd);
      return;
    }
    DIR* dir = ::fdopendir(dir_fd);
    if (!dir) {
      ::close(dir_fd);
      return;
    }
    if (!top_) top_ = dir, top_prefix_ = display.size();
    size_t prefix = display.size();
    while (const dirent* entry = ::readdir(dir)) {
      std::string_view name = entry->d_name;
      if (name == "." || name == "..") continue;
      unsigned char type = entry->d_type;
      struct stat st {};
      if (type == DT_UNKNOWN) {
        if (::fstatat(dir_fd, entry->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
        type = S_ISDIR(st.st_mode) ? DT_DIR : S_ISLNK(st.st_mode) ? DT_LNK : DT_REG;
      }
      display.resize(prefix);
      display.append(name);
      if (type == DT_LNK && ::fstatat(dir_fd, entry->d_name, &st, 0) == 0 && S_ISDIR(st.st_mode))
        type = DT_DIR;
      if (type == DT_DIR) {
        int sub = ::openat(dir_fd, entry->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        display += '/';
        if (sub >= 0) list(sub, display, out);
        continue;
      }
      if ((type != DT_REG && type != DT_LNK) || !is_migration_path(name)) continue;
      if (sql_only_ && kind_of_path(name) != migration_kind::sql) continue;
      out.files.push_back({this, ::dirfd(top_), static_cast<unsigned>(out.paths.size()),
                           static_cast<unsigned>(display.size()),
                           static_cast<unsigned>(display.size() - top_prefix_)});
      out.paths.append(display).push_back('\0');
    }
    display.resize(prefix);
    if (dir != top_) ::closedir(dir);
  }

  // One listed file against its embedded copy; what differs goes to `out`.
  // Two threads may compare files of one walk at once.
  void compare(const listing& listed, const listing::file& file, std::vector<stale_file>& out) {
    struct stat st {};
    if (::fstatat(file.top_fd, listed.relative(file), &st, 0) != 0 || !S_ISREG(st.st_mode)) return;
    const std::string_view display = listed.path(file);
    auto found = embedded_.find(display);
    if (found == embedded_.end()) {
      // The same file under a second path (a linked folder): the scanner
      // embedded it once, under its first path.
      if (!is_embedded_elsewhere(display)) out.push_back({std::string(display), "added"});
      return;
    }
    seen_[found->second] = 1;  // one byte per file: no two threads share one
    const embedded_file& f = files_[found->second];
    // Fast path: untouched since the build. Otherwise compare the bytes, so
    // that a file that was only touched (or chmod-ed) does not count as edited.
    if (ctime_ns(st) == f.changed_ns) return;
    try {
      if (read_file(absolute_path(display, root_)) == f.text()) return;
    } catch (const std::exception&) {
    }
    out.push_back({std::string(display), "edited"});
  }

  // After every compare: the embedded files that were not found.
  void removed(std::vector<stale_file>& out) const {
    for (size_t i = 0; i < seen_.size(); ++i) {
      std::string path = files_[i].path;
      struct stat st {};
      if (!seen_[i] && ::stat(absolute_path(path, root_).c_str(), &st) != 0)
        out.push_back({path, "removed"});
    }
  }

 private:
  bool is_embedded_elsewhere(std::string_view display) {
    std::string real = real_path(absolute_path(display, root_));
    if (real.empty()) return false;
    std::lock_guard<std::mutex> lock(real_paths_mutex_);
    if (real_paths_.empty())
      for (size_t i = 0; i < count_; ++i)
        real_paths_.insert(real_path(absolute_path(files_[i].path, root_)));
    return real_paths_.count(real) > 0;
  }

  static std::string real_path(const std::string& path) {
    char* resolved = ::realpath(path.c_str(), nullptr);
    if (!resolved) return "";
    std::string out(resolved);
    std::free(resolved);
    return out;
  }

  struct dev_ino_hash {
    size_t operator()(const std::pair<dev_t, ino_t>& k) const {
      return std::hash<unsigned long long>()(static_cast<unsigned long long>(k.first) * 1000003ULL ^
                                             static_cast<unsigned long long>(k.second));
    }
  };

  const std::string& root_;
  const embedded_file* files_;
  size_t count_;
  bool sql_only_;
  std::unordered_set<std::pair<dev_t, ino_t>, dev_ino_hash> walked_;
  std::mutex real_paths_mutex_;
  std::unordered_set<std::string> real_paths_;
  std::unordered_map<std::string_view, size_t> embedded_;
  std::vector<char> seen_;
  DIR* top_ = nullptr;     // the first directory listed
  size_t top_prefix_ = 0;  // the length of its display path, with the '/'
};

void list_directory(const std::string& root, const std::string& directory, source_walk& walk,
                    listing& out) {
  int fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  std::string display = display_path(directory, root) + "/";
  walk.list(fd, display, out);
}

// The display-path prefix of the declared schema's files, or "" without one.
std::string schema_prefix(const runner_config& config) {
  return config.schema_dir && *config.schema_dir
             ? display_path(config.schema_dir, config.source_root) + "/"
             : std::string();
}

// Waits for another thread's step of a few microseconds to a millisecond
// without sleeping: on a virtual machine, waking a sleeping thread (a futex)
// took longer than the step (bench/README.md, start-up).
template <typename Done>
void spin_until(Done done) {
  while (!done()) std::this_thread::yield();
}

}  // namespace

// Everything both threads share. The helper holds it too, so that a check
// whose result is never asked for (a command that failed first) needs no
// join: the helper is detached and ends on its own, or with the process.
struct stale_check::state {
  state(const runner_config& config, const embedded_catalog& catalog)
      : root(config.source_root),
        migrations_dir(config.migrations_dir),
        schema_dir(config.schema_dir ? config.schema_dir : ""),
        migrations(root, catalog.files, catalog.count, false),
        schema(root, catalog.schema_files, catalog.schema_count, true) {
    // About what the directories hold, so that the lists grow once or never.
    size_t files = catalog.count + catalog.schema_count;
    listed.files.reserve(files);
    listed.paths.reserve(files * 48);
  }
  // Copies: the helper may outlive the command's objects.
  const std::string root, migrations_dir, schema_dir;
  source_walk migrations, schema;
  listing listed;
  enum { unlisted, listing_now, listing_done };
  std::atomic<int> stage{unlisted};
  std::atomic<size_t> next{0};      // the next listed file to claim
  std::atomic<size_t> compared{0};  // listed files whose comparison is over
  std::mutex mutex;                 // guards the two below
  std::vector<stale_file> found;
  std::exception_ptr error;

  // Called by both threads: lists the directories unless the other thread
  // has begun to, then compares listed files until none is left to claim.
  void work() noexcept {
    int expected = unlisted;
    if (stage.compare_exchange_strong(expected, listing_now)) {
      try {
        list_directory(root, migrations_dir, migrations, listed);
        // The declared schema, when the runner has one.
        if (!schema_dir.empty()) list_directory(root, schema_dir, schema, listed);
      } catch (...) {
        keep(std::current_exception());
      }
      stage.store(listing_done, std::memory_order_release);
    } else {
      spin_until([&] { return stage.load(std::memory_order_acquire) == listing_done; });
    }
    for (size_t i; (i = next.fetch_add(1)) < listed.files.size();) {
      std::vector<stale_file> differs;
      try {
        listed.files[i].walk->compare(listed, listed.files[i], differs);
      } catch (...) {
        keep(std::current_exception());
      }
      // What differs is kept before the file counts as compared: result()
      // reads `found` once every file does.
      if (!differs.empty()) {
        std::lock_guard<std::mutex> lock(mutex);
        found.insert(found.end(), differs.begin(), differs.end());
      }
      compared.fetch_add(1, std::memory_order_release);
    }
  }

  void keep(std::exception_ptr e) {
    std::lock_guard<std::mutex> lock(mutex);
    if (!error) error = e;
  }
};

stale_check::stale_check(const runner_config& config, const embedded_catalog& catalog, bool helper)
    : state_(std::make_shared<state>(config, catalog)), config_(config) {
  if (!helper) return;
  try {
    std::thread([s = state_] { s->work(); }).detach();
  } catch (const std::system_error&) {
    // No thread to be had: result() does it all.
  }
}

std::vector<stale_file> stale_check::result() {
  state_->work();
  spin_until([&] {
    return state_->compared.load(std::memory_order_acquire) == state_->listed.files.size();
  });
  std::vector<stale_file> out;
  {
    std::lock_guard<std::mutex> lock(state_->mutex);
    if (state_->error) std::rethrow_exception(state_->error);
    out = state_->found;
  }
  state_->migrations.removed(out);
  state_->schema.removed(out);
  // The migrations first, then the declared schema; each by path.
  std::string schema = schema_prefix(config_);
  auto in_schema = [&](const stale_file& f) {
    return !schema.empty() && starts_with(f.path, schema);
  };
  std::sort(out.begin(), out.end(), [&](const stale_file& a, const stale_file& b) {
    return std::make_pair(in_schema(a), std::string_view(a.path)) <
           std::make_pair(in_schema(b), std::string_view(b.path));
  });
  return out;
}

std::string describe_stale_files(const std::vector<stale_file>& files) {
  std::string out;
  for (const auto& f : files) out += "\n  " + std::string(f.change) + ": " + f.path;
  return out;
}

std::string stale_sources(const runner_config& config, const std::vector<stale_file>& files) {
  std::string prefix = schema_prefix(config);
  bool schema = false, migrations = false;
  for (const auto& f : files)
    (!prefix.empty() && starts_with(f.path, prefix) ? schema : migrations) = true;
  if (schema && migrations) return "the migrations and the declared schema";
  return schema ? "the declared schema" : "the migrations";
}

std::vector<migration> migrations_on_disk(const runner_config& config,
                                          const embedded_catalog& catalog,
                                          const std::vector<stale_file>& stale,
                                          std::vector<diagnostic>& diagnostics) {
  std::unordered_map<std::string, const stale_file*> changed;
  for (const auto& f : stale) changed.emplace(f.path, &f);
  std::vector<migration> out;
  for (const auto& m : embedded_migrations(catalog, diagnostics))
    if (!changed.count(m.path)) out.push_back(m);
  std::string schema = schema_prefix(config);
  for (const auto& f : stale) {
    if (std::string_view(f.change) == "removed") continue;
    if (!schema.empty() && starts_with(f.path, schema)) continue;  // not a migration
    std::string text;
    try {
      text = read_file(absolute_path(f.path, config.source_root));
    } catch (const std::exception& e) {
      diagnostics.push_back({f.path, 0, severity::error, e.what()});
      continue;
    }
    out.push_back(parse_migration(f.path, text, diagnostics));
  }
  return out;
}

}  // namespace migration_tools::engine
