// migration_tools_scan: the configure-time half of add_migrations().
//
// CMake globs the migration files and hands the list to this tool, which
// parses every header with the same code the runner uses, validates the
// graph, reports problems as `file:line: error: ...`, and writes the sources
// the runner is built from. Exit codes: 0 valid, 2 invalid.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <unordered_set>
#include <vector>

#include "catalog_writer.hpp"
#include "migration_tools/core/checksum.hpp"
#include "migration_tools/core/declared_sql_check.hpp"
#include "migration_tools/core/file_io.hpp"
#include "migration_tools/core/meaning_checksum.hpp"
#include "migration_tools/core/migration_sql_check.hpp"
#include "migration_tools/core/revision_graph.hpp"
#include "migration_tools/core/section_statements.hpp"
#include "migration_tools/core/source_tree.hpp"
#include "migration_tools/core/sql_splitter.hpp"
#include "migration_tools/core/text.hpp"

namespace mt = migration_tools;

namespace {

struct options {
  std::string name;
  std::string list_file;
  std::string schema_list_file;
  std::string out_dir;
  std::string source_root;
  std::string directory;         // the migrations directory the files were found in
  std::string schema_directory;  // the declared schema's, or ""
  // Without one: schema/ beside add_migrations(), which configure looks for;
  // a build that finds it has appeared configures again.
  std::string awaited_schema_directory;
  std::string merge_command;
  bool fail_on_multiple_heads = false;
  bool allow_multiple_heads = false;
  // At build time: scan again only when a file's identity or times differ
  // from the last scan's (sources.state), which mtime alone does not tell.
  bool refresh = false;
};

[[noreturn]] void usage(const std::string& why) {
  std::cerr << "migration_tools_scan: " << why
            << "\nusage: migration_tools_scan --name NAME --list FILE --out-dir DIR "
               "--source-root DIR [--directory DIR] [--schema-directory DIR] "
               "[--awaited-schema-directory DIR] [--merge-command CMD] "
               "[--fail-on-multiple-heads] "
               "[--allow-multiple-heads] [--refresh]\n";
  std::exit(2);
}

options parse_options(int argc, char** argv) {
  options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) usage("missing value for " + a);
      return argv[++i];
    };
    if (a == "--name")
      o.name = value();
    else if (a == "--list")
      o.list_file = value();
    else if (a == "--schema-list")
      o.schema_list_file = value();
    else if (a == "--out-dir")
      o.out_dir = value();
    else if (a == "--source-root")
      o.source_root = value();
    else if (a == "--directory")
      o.directory = value();
    else if (a == "--schema-directory")
      o.schema_directory = value();
    else if (a == "--awaited-schema-directory")
      o.awaited_schema_directory = value();
    else if (a == "--merge-command")
      o.merge_command = value();
    else if (a == "--fail-on-multiple-heads")
      o.fail_on_multiple_heads = true;
    else if (a == "--allow-multiple-heads")
      o.allow_multiple_heads = true;
    else if (a == "--refresh")
      o.refresh = true;
    else
      usage("unknown argument '" + a + "'");
  }
  if (o.name.empty() || o.list_file.empty() || o.out_dir.empty()) usage("missing arguments");
  return o;
}

std::vector<std::string> read_list(const std::string& path) {
  std::vector<std::string> out;
  std::string text = mt::read_file(path);
  mt::line_reader lines(text);
  std::string_view line;
  int number = 0;
  while (lines.next(line, number))
    if (!line.empty()) out.emplace_back(line);
  return out;
}

// Every head on a line of its own, at its file, then how to merge them.
void report_heads(const mt::revision_graph& graph, const options& o,
                  std::vector<mt::diagnostic>& ds) {
  auto heads = graph.real_heads();
  if (heads.size() < 2 || o.allow_multiple_heads) return;
  auto level = o.fail_on_multiple_heads ? mt::severity::error : mt::severity::warning;
  for (mt::node_id h : heads) {
    const auto& m = graph.at(h);
    std::string message = m.message.empty() ? "" : " (" + m.message + ")";
    ds.push_back({m.path, m.line_of("revision"), level,
                  "divergent heads: revision '" + m.revision + "'" + message + " is one of " +
                      std::to_string(heads.size()) + " heads"});
  }
}

// Writes each text to <dir>/<index> (only when it changed) and removes the
// snapshots of files that are gone; sets each file's snapshot_path.
void write_snapshots(const std::string& dir, std::vector<mt::scanner::scanned_file>& files,
                     const std::vector<std::string>& texts) {
  ::mkdir(dir.c_str(), 0755);
  for (size_t i = 0; i < files.size(); ++i) {
    files[i].snapshot_path = dir + "/" + std::to_string(i);
    mt::write_file_if_different(files[i].snapshot_path, texts[i], false);
  }
  for (size_t i = files.size();; ++i) {
    std::string stale = dir + "/" + std::to_string(i);
    if (::unlink(stale.c_str()) != 0) break;
  }
}

// A schema file must be text whose comments and quotes are closed (the
// runner splits it into statements), and must not leave the transaction it
// is loaded in (check_declared_sql).
void check_schema_file(const std::string& path, const std::string& text,
                       std::vector<mt::diagnostic>& ds) {
  mt::check_declared_sql(path, text, ds);
}

// The directories a runner may check by their times instead of listing them
// (directories_to_record), with the clock read before the walk.
std::vector<mt::walked_directory> directories_to_record(
    const options& o, const std::vector<mt::scanner::scanned_file>& files,
    const std::vector<mt::scanner::scanned_file>& schema_files) {
  if (o.directory.empty()) return {};
  long long now = mt::realtime_ns();
  std::vector<std::string> embedded;
  for (const auto* list : {&files, &schema_files})
    for (const auto& f : *list) embedded.push_back(f.display_path);
  return mt::directories_to_record({{o.directory, false}, {o.schema_directory, true}},
                                   o.source_root, embedded, now);
}

// What a file was when the scan began: a build notices an edit by its
// modification time only, and `cp -p`, `rsync -t` or `touch -r` keep that;
// the inode and status change time move with any edit.
std::string file_identity(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return "missing " + path;
  return std::to_string(st.st_ino) + " " + std::to_string(st.st_size) + " " +
         std::to_string(st.st_mtim.tv_sec) + "." + std::to_string(st.st_mtim.tv_nsec) + " " +
         std::to_string(st.st_ctim.tv_sec) + "." + std::to_string(st.st_ctim.tv_nsec) + " " + path;
}

// Every listed file's identity, one per line, taken before any is read: a
// file edited during the scan differs from it at the next build.
std::string sources_state(const options& o) {
  std::string out;
  for (const auto* list : {&o.list_file, &o.schema_list_file})
    if (!list->empty())
      for (const auto& path : read_list(*list)) out += file_identity(path) + "\n";
  return out;
}

std::string state_path(const options& o) {
  return o.out_dir + "/sources.state";
}

}  // namespace

int main(int argc, char** argv) {
  options o = parse_options(argc, argv);
  struct stat awaited {};
  if (o.refresh && !o.awaited_schema_directory.empty() &&
      ::stat(o.awaited_schema_directory.c_str(), &awaited) == 0 && S_ISDIR(awaited.st_mode)) {
    // scan.cmake is read at configure time: changed, it makes the next build
    // configure again, which takes the new folder as the declared schema.
    try {
      std::string fragment = mt::read_file(o.out_dir + "/scan.cmake");
      mt::write_file_if_different(o.out_dir + "/scan.cmake",
                                  fragment + "# " + o.awaited_schema_directory + " appeared\n",
                                  false);
    } catch (const std::exception& e) {
      std::cout << "error: " << e.what() << "\n";
      return 2;
    }
    std::cout << "error: " << o.awaited_schema_directory
              << " appeared: it is the declared schema of " << o.name
              << " from now on; the build files were updated: run the build again\n";
    return 2;
  }
  std::string state;
  try {
    state = sources_state(o);
    if (o.refresh) {
      std::ifstream in(state_path(o), std::ios::binary);
      std::ostringstream recorded;
      recorded << in.rdbuf();
      if (in && recorded.str() == state) return 0;
    }
  } catch (const std::exception& e) {
    std::cout << "error: " << e.what() << "\n";
    return 2;
  }
  const long long scan_began = mt::realtime_ns();
  std::vector<mt::diagnostic> ds;
  std::vector<mt::scanner::scanned_file> files;
  std::vector<std::string> texts;
  try {
    // A file reached through two paths (a linked folder) counts once, under
    // the first of its paths in sorted order.
    std::unordered_set<std::string> real_paths;
    for (const auto& path : read_list(o.list_file)) {
      if (char* real = ::realpath(path.c_str(), nullptr)) {
        bool first = real_paths.insert(real).second;
        std::free(real);
        if (!first) continue;
      }
      mt::scanner::scanned_file f;
      f.absolute_path = path;
      f.display_path = mt::source_display_path(path, o.source_root);
      if (path.find(';') != std::string::npos) {
        ds.push_back({f.display_path, 0, mt::severity::error,
                      "migration file names cannot contain ';' (CMake's list separator)"});
        continue;
      }
      f.changed_ns = mt::vouched_change_time(path, scan_began);
      std::string text = mt::read_file(path);
      f.size = static_cast<long long>(text.size());
      f.checksum = mt::migration_checksum(text);
      f.parsed = mt::parse_migration(f.display_path, text, ds);
      mt::check_migration_sql(f.parsed, text, ds);
      f.meaning = mt::migration_meaning_checksum(f.parsed);
      if (f.parsed.upgrade.present)
        f.upgrade_statements = mt::statement_bounds(mt::split_sql(f.parsed.upgrade.text));
      if (f.parsed.downgrade.present)
        f.downgrade_statements = mt::statement_bounds(mt::split_sql(f.parsed.downgrade.text));
      files.push_back(std::move(f));
      texts.push_back(std::move(text));
    }
  } catch (const std::exception& e) {
    std::cout << "error: " << e.what() << "\n";
    return 2;
  }

  // The declared schema: text files the runner applies to a scratch
  // database, so only what would stop that is checked here.
  std::vector<mt::scanner::scanned_file> schema_files;
  std::vector<std::string> schema_texts;
  try {
    if (!o.schema_list_file.empty()) {
      for (const auto& path : read_list(o.schema_list_file)) {
        mt::scanner::scanned_file f;
        f.absolute_path = path;
        f.display_path = mt::source_display_path(path, o.source_root);
        f.changed_ns = mt::vouched_change_time(path, scan_began);
        std::string text = mt::read_file(path);
        check_schema_file(f.display_path, text, ds);
        f.size = static_cast<long long>(text.size());
        schema_files.push_back(std::move(f));
        schema_texts.push_back(std::move(text));
      }
    }
  } catch (const std::exception& e) {
    std::cout << "error: " << e.what() << "\n";
    return 2;
  }

  if (!mt::has_errors(ds)) {
    std::vector<mt::migration> ms;
    ms.reserve(files.size());
    for (const auto& f : files) ms.push_back(f.parsed);
    auto graph = mt::revision_graph::build(std::move(ms), ds);
    if (!mt::has_errors(ds)) report_heads(graph, o, ds);
  }

  // Absolute paths in what configure prints: a configure that the build
  // starts runs in the build tree, where a path relative to the project
  // would not resolve for an IDE's or CI's problem matcher. (The runner
  // embeds the relative ones.)
  for (auto& d : ds)
    if (!o.source_root.empty() && !d.file.empty() && d.file.front() != '/')
      d.file = o.source_root + "/" + d.file;
  if (!ds.empty()) std::cout << mt::format_diagnostics(ds) << "\n";
  if (mt::has_errors(ds)) {
    bool heads_only = std::all_of(ds.begin(), ds.end(), [](const mt::diagnostic& d) {
      return d.level != mt::severity::error || mt::starts_with(d.message, "divergent heads");
    });
    if (heads_only && !o.merge_command.empty())
      std::cout << "note: merge the heads with: " << o.merge_command << "\n";
    // 3: the files are valid, the graph has divergent heads and they fail
    // this configure (CI): CMake says so in those words.
    return heads_only ? 3 : 2;
  }
  if (!ds.empty() && !o.merge_command.empty())
    std::cout << "note: merge the heads with: " << o.merge_command << "\n";

  try {
    // The bytes parsed above, for the runner to embed (see scanned_file).
    write_snapshots(o.out_dir + "/files", files, texts);
    write_snapshots(o.out_dir + "/schema_files", schema_files, schema_texts);
    mt::write_file_if_different(
        o.out_dir + "/embedded.cpp",
        mt::scanner::embedding_source(o.name, files, schema_files,
                                      directories_to_record(o, files, schema_files)),
        false);
    bool build_files_changed = mt::write_file_if_different(
        o.out_dir + "/scan.cmake", mt::scanner::cmake_fragment(files, schema_files), false);
    mt::write_file(state_path(o), state, false);
    if (o.refresh && build_files_changed) {
      // scan.cmake is read at configure time: the next build configures again.
      std::cout << "error: the migrations changed in a way the build files follow (the C++ "
                   "migrations or their revisions); the build files were updated: run the "
                   "build again\n";
      return 2;
    }
  } catch (const std::exception& e) {
    std::cout << "error: " << e.what() << "\n";
    return 2;
  }
  return 0;
}
