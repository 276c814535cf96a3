#include "stale_runner.hpp"

#include <algorithm>
#include <filesystem>
#include <system_error>
#include <unordered_map>

#include "migration_tools/core/file_io.hpp"
#include "migration_tools/core/migration.hpp"
#include "migration_tools/core/text.hpp"

namespace migration_tools::cli {

namespace fs = std::filesystem;

namespace {

// The same display path the scanner gives a file (relative to the project).
std::string display_path(const std::string& absolute, const std::string& root) {
  if (!root.empty() && starts_with(absolute, root + "/")) return absolute.substr(root.size() + 1);
  return absolute;
}

std::string absolute_path(const std::string& display, const std::string& root) {
  return !display.empty() && display.front() == '/' ? display : root + "/" + display;
}

}  // namespace

std::vector<stale_file> find_stale_files(const runner_config& config,
                                         const embedded_catalog& catalog) {
  std::vector<stale_file> out;
  std::error_code ec;
  if (!fs::is_directory(config.migrations_dir, ec)) return out;

  std::unordered_map<std::string, const embedded_file*> embedded;
  for (size_t i = 0; i < catalog.count; ++i) embedded.emplace(catalog.files[i].path, &catalog.files[i]);

  std::vector<std::string> seen;
  for (fs::recursive_directory_iterator it(config.migrations_dir, ec), end; !ec && it != end;
       it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    std::string path = it->path().string();
    if (!is_migration_path(path)) continue;
    std::string display = display_path(path, config.source_root);
    seen.push_back(display);
    auto found = embedded.find(display);
    if (found == embedded.end()) {
      out.push_back({display, "added"});
      continue;
    }
    const embedded_file& f = *found->second;
    // Fast path: untouched since the build. Otherwise compare the bytes, so
    // that a file that was only touched does not count as edited.
    if (modification_time_ns(path) == f.modified_ns) continue;
    std::string text;
    try {
      text = read_file(path);
    } catch (const std::exception&) {
      out.push_back({display, "edited"});
      continue;
    }
    if (text != f.text()) out.push_back({display, "edited"});
  }
  std::sort(seen.begin(), seen.end());
  for (const auto& [path, file] : embedded) {
    (void)file;
    if (!std::binary_search(seen.begin(), seen.end(), path) &&
        !fs::exists(absolute_path(path, config.source_root), ec))
      out.push_back({path, "removed"});
  }
  std::sort(out.begin(), out.end(), [](const stale_file& a, const stale_file& b) { return a.path < b.path; });
  return out;
}

std::string describe_stale_files(const std::vector<stale_file>& files) {
  std::string out;
  for (const auto& f : files) out += "\n  " + std::string(f.change) + ": " + f.path;
  return out;
}

}  // namespace migration_tools::cli
