#include "stale_runner.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <mutex>
#include <string_view>
#include <system_error>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "embedded_migrations.hpp"
#include "migration_tools/core/file_io.hpp"
#include "migration_tools/core/migration.hpp"
#include "migration_tools/core/source_tree.hpp"
#include "migration_tools/core/text.hpp"

namespace migration_tools::engine {

namespace {

// What a runner embeds from one directory (the migrations or the declared
// schema), against which the files listed there are compared.
class embedded_tree {
 public:
  // `root`: the project's source directory, which display paths are
  // relative to.
  embedded_tree(const std::string& root, const embedded_file* files, size_t count)
      : root_(root), files_(files), count_(count), seen_(count, 0) {}
  embedded_tree(const embedded_tree&) = delete;
  embedded_tree& operator=(const embedded_tree&) = delete;

  // Indexes the embedded files by path, for files found by listing. Before
  // any compare, on one thread.
  void index() {
    embedded_.reserve(count_);
    for (size_t i = 0; i < count_; ++i) embedded_.emplace(files_[i].path, i);
  }

  // Lists the embedded files themselves as `tree`, below `top_fd`, whose
  // display path is `prefix` (with its '/'): for directories whose times say
  // that they hold exactly these files. False when one is not below it.
  bool list_embedded(unsigned tree, int top_fd, const std::string& prefix,
                     source_listing& out) const {
    for (size_t i = 0; i < count_; ++i) {
      std::string_view path = files_[i].path;
      if (!starts_with(path, prefix) || path.size() == prefix.size()) return false;
      out.add(tree, top_fd, path, path.size() - prefix.size(), static_cast<long long>(i));
    }
    return true;
  }

  // One listed file against its embedded copy; what differs goes to `out`.
  // Two threads may compare files of one tree at once.
  void compare(const source_listing& listed, const source_listing::file& file,
               std::vector<stale_file>& out) {
    struct stat st {};
    if (::fstatat(file.top_fd, listed.relative(file), &st, 0) != 0 || !S_ISREG(st.st_mode)) return;
    const std::string_view display = listed.path(file);
    size_t index = static_cast<size_t>(file.embedded);
    if (file.embedded < 0) {
      auto found = embedded_.find(display);
      if (found == embedded_.end()) {
        // The same file under a second path (a linked folder): the scanner
        // embedded it once, under its first path.
        if (!is_embedded_elsewhere(display)) out.push_back({std::string(display), "added"});
        return;
      }
      index = found->second;
    }
    seen_[index] = 1;  // one byte per file: no two threads share one
    const embedded_file& f = files_[index];
    // Fast path: untouched since the build. Otherwise compare the bytes, so
    // that a file that was only touched (or chmod-ed) does not count as
    // edited. The status change time moves even when an edit sets the
    // modification time back (touch -r, an editor keeping it).
    if (status_change_ns(st) == f.changed_ns) return;
    try {
      if (read_file(source_absolute_path(display, root_)) == f.text()) return;
    } catch (const std::exception&) {
    }
    out.push_back({std::string(display), "edited"});
  }

  // After every compare: the embedded files that were not found.
  void removed(std::vector<stale_file>& out) const {
    for (size_t i = 0; i < seen_.size(); ++i) {
      std::string path = files_[i].path;
      struct stat st {};
      if (!seen_[i] && ::stat(source_absolute_path(path, root_).c_str(), &st) != 0)
        out.push_back({path, "removed"});
    }
  }

 private:
  bool is_embedded_elsewhere(std::string_view display) {
    std::string real = real_path(source_absolute_path(display, root_));
    if (real.empty()) return false;
    std::lock_guard<std::mutex> lock(real_paths_mutex_);
    if (real_paths_.empty())
      for (size_t i = 0; i < count_; ++i)
        real_paths_.insert(real_path(source_absolute_path(files_[i].path, root_)));
    return real_paths_.count(real) > 0;
  }

  static std::string real_path(const std::string& path) {
    char* resolved = ::realpath(path.c_str(), nullptr);
    if (!resolved) return "";
    std::string out(resolved);
    std::free(resolved);
    return out;
  }

  const std::string& root_;
  const embedded_file* files_;
  size_t count_;
  std::mutex real_paths_mutex_;
  std::unordered_set<std::string> real_paths_;
  std::unordered_map<std::string_view, size_t> embedded_;
  std::vector<char> seen_;
};

// Whether every directory the scanner recorded still has its status change
// time: then none gained, lost or renamed an entry since, and the files of
// the trees are the ones embedded.
bool directories_unchanged(const embedded_catalog& catalog, const std::string& root) {
  if (catalog.directory_count == 0) return false;
  for (size_t i = 0; i < catalog.directory_count; ++i) {
    const embedded_directory& d = catalog.directories[i];
    struct stat st {};
    if (::stat(source_absolute_path(d.path, root).c_str(), &st) != 0 || !S_ISDIR(st.st_mode) ||
        status_change_ns(st) != d.changed_ns)
      return false;
  }
  return true;
}

// The display-path prefix of the declared schema's files, or "" without one.
std::string schema_prefix(const runner_config& config) {
  return config.schema_dir && *config.schema_dir
             ? source_display_path(config.schema_dir, config.source_root) + "/"
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
  state(const runner_config& config, const embedded_catalog& catalog_)
      : root(config.source_root),
        dirs{config.migrations_dir, config.schema_dir ? config.schema_dir : ""},
        catalog(catalog_),
        trees{{root, catalog.files, catalog.count},
              {root, catalog.schema_files, catalog.schema_count}} {
    // What the directories hold, and a little more, so that the lists never
    // grow on the helper: a string grown past the runner's small-allocation
    // block (front_runner_heap.cpp) went to malloc, which gave the helper an
    // arena of its own, 16 page faults of a `heads` at 1,000.
    size_t files = catalog.count + catalog.schema_count, bytes = 0;
    for (size_t i = 0; i < catalog.count; ++i) bytes += std::strlen(catalog.files[i].path) + 1;
    for (size_t i = 0; i < catalog.schema_count; ++i)
      bytes += std::strlen(catalog.schema_files[i].path) + 1;
    listed.files.reserve(files + 16);
    listed.paths.reserve(bytes + 1024);
  }
  // Copies: the helper may outlive the command's objects. (The catalog is
  // static data.)
  const std::string root;
  const std::string dirs[2];  // by tree; the schema's is "" without one
  const embedded_catalog catalog;
  enum { migrations_tree, schema_tree };
  source_tree_walk walks[2] = {source_tree_walk(false, migrations_tree),
                               source_tree_walk(true, schema_tree)};
  embedded_tree trees[2];
  source_listing listed;
  bool listed_directories = false;  // written before `stage` says listing_done
  enum { unlisted, listing_now, listing_done };
  std::atomic<int> stage{unlisted};
  std::atomic<size_t> next{0};      // the next listed file to claim
  std::atomic<size_t> compared{0};  // listed files whose comparison is over
  std::mutex mutex;                 // guards the two below
  std::vector<stale_file> found;
  std::exception_ptr error;

  // The embedded files as the listing, when the directories' times vouch
  // for them: listing 1,000 files took a third of a `heads`' check.
  bool list_embedded() {
    if (!directories_unchanged(catalog, root)) return false;
    for (int t : {migrations_tree, schema_tree}) {
      if (dirs[t].empty()) continue;
      if (!walks[t].open_top(dirs[t]) ||
          !trees[t].list_embedded(static_cast<unsigned>(t), walks[t].top_fd(),
                                  source_display_path(dirs[t], root) + "/", listed)) {
        listed.files.clear();
        listed.paths.clear();
        return false;
      }
    }
    return true;
  }

  void list_directories() {
    listed_directories = true;
    for (int t : {migrations_tree, schema_tree}) {
      if (dirs[t].empty()) continue;  // no declared schema
      trees[t].index();
      walks[t].list(dirs[t], source_display_path(dirs[t], root), listed);
    }
  }

  // Called by both threads: lists the directories unless the other thread
  // has begun to, then compares listed files until none is left to claim.
  void work() noexcept {
    int expected = unlisted;
    if (stage.compare_exchange_strong(expected, listing_now)) {
      try {
        if (!list_embedded()) list_directories();
      } catch (...) {
        keep(std::current_exception());
      }
      stage.store(listing_done, std::memory_order_release);
    } else {
      spin_until([&] { return stage.load(std::memory_order_acquire) == listing_done; });
    }
    for (size_t i; (i = next.fetch_add(1)) < listed.files.size();) {
      std::vector<stale_file> differs;
      const source_listing::file& file = listed.files[i];
      try {
        trees[file.tree].compare(listed, file, differs);
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
    if (!error) error = std::move(e);
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
  for (const auto& tree : state_->trees) tree.removed(out);
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

bool stale_check::listed_directories() const {
  return state_->listed_directories;
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
      text = read_file(source_absolute_path(f.path, config.source_root));
    } catch (const std::exception& e) {
      diagnostics.push_back({f.path, 0, severity::error, e.what()});
      continue;
    }
    out.push_back(parse_migration(f.path, text, diagnostics));
  }
  return out;
}

}  // namespace migration_tools::engine
