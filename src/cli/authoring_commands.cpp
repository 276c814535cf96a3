// new and merge: write a migration file into the source migrations directory.
#include <sys/stat.h>

#include <algorithm>
#include <ctime>
#include <iostream>
#include <random>

#include "commands.hpp"
#include "migration_tools/core/file_io.hpp"
#include "migration_tools/core/revision_resolver.hpp"

namespace migration_tools::cli {

namespace {

std::string random_revision() {
  std::random_device device;
  std::mt19937_64 engine((static_cast<unsigned long long>(device()) << 32) ^ device() ^
                         static_cast<unsigned long long>(std::time(nullptr)));
  static const char hex[] = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < 12; ++i) out += hex[engine() % 16];
  return out;
}

std::string slug(const std::string& message) {
  std::string out;
  for (char c : message) {
    bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (c >= 'A' && c <= 'Z') {
      c = static_cast<char>(c - 'A' + 'a');
      alnum = true;
    }
    if (alnum) {
      out += c;
    } else if (!out.empty() && out.back() != '_') {
      out += '_';
    }
    if (out.size() >= 40) break;
  }
  while (!out.empty() && out.back() == '_') out.pop_back();
  return out.empty() ? "migration" : out;
}

struct timestamps {
  std::string file_prefix;  // YYYYMMDD_HHMM
  std::string iso;          // YYYY-MM-DDTHH:MM:SSZ
};

timestamps now_utc() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char prefix[32], iso[32];
  std::strftime(prefix, sizeof prefix, "%Y%m%d_%H%M", &tm);
  std::strftime(iso, sizeof iso, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return {prefix, iso};
}

std::string choose_revision(const runner_context& ctx, const std::string& requested) {
  if (requested.empty()) return random_revision();
  if (!is_valid_revision_id(requested))
    throw usage_error("malformed --rev-id '" + requested +
                      "': expected 1 to 64 characters of [A-Za-z0-9_]");
  if (ctx.graph().find(requested) >= 0)
    throw usage_error("revision '" + requested + "' already exists (" +
                      ctx.graph().at(ctx.graph().find(requested)).path + ")");
  return requested;
}

void check_message(const std::string& message) {
  if (message.empty())
    throw usage_error("a message is required: -m MESSAGE (for the targets: MIGRATE_MESSAGE=...)");
  if (message.find_first_of("\r\n") != std::string::npos)
    throw usage_error("the message must be a single line");
}

// Writes the file; refuses to overwrite one that exists.
int write_migration(runner_context& ctx, const std::string& revision, const std::string& message,
                    const std::string& text, const char* extension) {
  std::string dir = ctx.config().migrations_dir;
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    throw usage_error("the migrations directory '" + dir + "' does not exist");
  std::string path = dir + "/" + now_utc().file_prefix + "_" + revision + "_" + slug(message) + extension;
  if (::stat(path.c_str(), &st) == 0) throw usage_error("'" + path + "' already exists");
  write_file(path, text);
  std::cout << path << "\n";
  ctx.info("created " + path + "; the next build of " + ctx.config().name +
           " (or any " + ctx.config().name + "_* target) picks it up");
  return ok;
}

std::string header(const char* comment, const std::string& revision, const std::string& parents,
                   const std::string& message) {
  std::string c = comment;
  return c + " migrate:revision " + revision + "\n" + c + " migrate:down_revision " + parents +
         "\n" + c + " migrate:message " + message + "\n" + c + " migrate:created " +
         now_utc().iso + "\n";
}

}  // namespace

int new_command(runner_context& ctx, const new_options& o) {
  check_message(o.message);
  const auto& g = ctx.graph();
  std::string parent = "none";
  if (!o.head.empty()) {
    if (o.head != "base") {
      node_id id = revision_resolver(g, {}).resolve_single(o.head);
      if (!g.children(id).empty())
        throw usage_error("revision '" + g.revision(id) +
                          "' is not a head; a new migration on it would start a branch");
      parent = g.revision(id);
    }
  } else {
    auto heads = g.real_heads();
    if (heads.size() > 1)
      throw usage_error("there are several heads (" + list_revisions(g, heads) +
                        "); choose one with --head REV, or merge them first with 'merge heads'");
    if (!heads.empty()) parent = g.revision(heads.front());
  }
  std::string revision = choose_revision(ctx, o.rev_id);
  if (o.cpp) {
    std::string text = header("//", revision, parent, o.message) +
                       "\n#include <migration_tools/migration.hpp>\n\n"
                       "MIGRATION_UPGRADE(tx) {\n"
                       "  // The migration's work, in its own transaction, e.g.\n"
                       "  // tx.exec0(\"UPDATE accounts SET ...\");\n"
                       "  static_cast<void>(tx);\n"
                       "}\n\n"
                       "MIGRATION_DOWNGRADE(tx) {\n"
                       "  static_cast<void>(tx);\n"
                       "}\n";
    return write_migration(ctx, revision, o.message, text, ".cpp");
  }
  std::string text = header("--", revision, parent, o.message) +
                     "\n-- migrate:upgrade\n\n\n-- migrate:downgrade\n\n";
  return write_migration(ctx, revision, o.message, text, ".sql");
}

int merge_command(runner_context& ctx, const std::vector<std::string>& revisions,
                  const std::string& message, const std::string& rev_id) {
  check_message(message);
  const auto& g = ctx.graph();
  std::vector<node_id> parents;
  revision_resolver resolver(g, {});
  for (const auto& r : revisions) {
    auto ids = r == "heads" ? g.real_heads() : revision_set{resolver.resolve_single(r)};
    for (node_id id : ids)
      if (std::find(parents.begin(), parents.end(), id) == parents.end()) parents.push_back(id);
  }
  if (parents.size() < 2)
    throw usage_error("a merge needs at least two revisions; " +
                      (parents.empty() ? std::string("none were given")
                                       : "only '" + g.revision(parents.front()) + "' was given"));
  std::string list;
  for (node_id id : parents) list += (list.empty() ? "" : ", ") + g.revision(id);
  std::string revision = choose_revision(ctx, rev_id);
  std::string text = header("--", revision, list, message) +
                     "\n-- migrate:upgrade\n\n-- migrate:downgrade\n";
  return write_migration(ctx, revision, message, text, ".sql");
}

}  // namespace migration_tools::cli
