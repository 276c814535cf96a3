// new and merge: write a migration file into the source migrations directory.
#include <sys/stat.h>

#include <algorithm>
#include <ctime>
#include <iostream>
#include <random>

#include "commands.hpp"
#include "migration_tools/core/file_io.hpp"
#include "migration_tools/core/lint.hpp"
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
  // YYYYMMDD_HHMMSS: with the seconds, files written in the same minute
  // sort in the order they were written, not by their random revision.
  std::string file_prefix;
  std::string iso;  // YYYY-MM-DDTHH:MM:SSZ
};

timestamps now_utc() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char prefix[32], iso[32];
  std::strftime(prefix, sizeof prefix, "%Y%m%d_%H%M%S", &tm);
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
  std::string path =
      dir + "/" + now_utc().file_prefix + "_" + revision + "_" + slug(message) + extension;
  if (::stat(path.c_str(), &st) == 0) throw usage_error("'" + path + "' already exists");
  write_file(path, text);
  std::cout << path << "\n";
  ctx.info("created " + path + "; the next build of " + ctx.config().name + " (or any " +
           ctx.config().name + "_* target) picks it up");
  return ok;
}

// The header block `new` and `merge` write; branch_labels and depends_on only when given.
std::string header(const char* comment, const std::string& revision, const std::string& parents,
                   const std::string& branch_label, const std::vector<std::string>& depends_on,
                   const std::string& message) {
  std::string c = comment;
  std::string text =
      c + " migrate:revision " + revision + "\n" + c + " migrate:down_revision " + parents + "\n";
  if (!branch_label.empty()) text += c + " migrate:branch_labels " + branch_label + "\n";
  if (!depends_on.empty()) {
    std::string list;
    for (const auto& d : depends_on) list += (list.empty() ? "" : ", ") + d;
    text += c + " migrate:depends_on " + list + "\n";
  }
  return text + c + " migrate:message " + message + "\n" + c + " migrate:created " + now_utc().iso +
         "\n";
}

// A --branch-label: the identifier grammar, no keyword, and not yet taken by a
// label or a revision (either would make `label@head` mean something else).
void check_branch_label(const revision_graph& g, const std::string& label,
                        const std::string& new_revision) {
  if (label.empty()) return;
  if (!is_valid_revision_id(label))
    throw usage_error("malformed --branch-label '" + label +
                      "': expected 1 to 64 characters of [A-Za-z0-9_]");
  if (label == "head" || label == "heads" || label == "base" || label == "current")
    throw usage_error("--branch-label '" + label + "' is a reserved word of revision identifiers");
  if (node_id other = g.find_label(label); other >= 0)
    throw usage_error("branch label '" + label + "' is already used by revision '" +
                      g.revision(other) + "' (" + g.at(other).path + ":" +
                      std::to_string(g.at(other).line_of("branch_labels")) + ")");
  if (node_id other = g.find(label); other >= 0)
    throw usage_error("branch label '" + label + "' is the id of revision '" + g.revision(other) +
                      "' (" + g.at(other).path + "); choose another label");
  if (label == new_revision)
    throw usage_error("branch label '" + label + "' is the id of the new revision itself");
}

// Exactly one revision for an identifier (`base` aside, which callers handle).
node_id resolve_one(const revision_graph& g, const std::string& identifier, const char* option) {
  auto ids = revision_resolver(g, {}).resolve(identifier);
  if (ids.size() != 1)
    throw usage_error(std::string(option) + " '" + identifier + "' names " +
                      (ids.empty() ? std::string("no revision")
                                   : "several revisions (" + list_revisions(g, ids) + ")") +
                      "; give exactly one");
  return ids.front();
}

// The graph's heads other than `parents`: the heads besides a new revision on them.
std::vector<node_id> heads_after(const revision_graph& g, const std::vector<node_id>& parents) {
  std::vector<node_id> out;
  for (node_id h : g.real_heads())
    if (std::find(parents.begin(), parents.end(), h) == parents.end()) out.push_back(h);
  return out;
}

}  // namespace

std::string new_revision_id(const runner_context& ctx, const std::string& requested) {
  return choose_revision(ctx, requested);
}

int new_command(runner_context& ctx, const new_options& o) {
  check_message(o.message);
  const auto& g = ctx.graph();
  std::string parent = "none";
  std::vector<node_id> parent_ids;
  if (!o.parent_revision.empty()) {
    parent = o.parent_revision;  // written by this command a moment ago
  } else if (!o.head.empty()) {
    if (o.head != "base") {
      node_id id = resolve_one(g, o.head, "--head");
      if (!g.children(id).empty() && !o.splice) {
        std::vector<node_id> children = g.children(id);
        throw usage_error("revision '" + g.revision(id) +
                          "' is not a head (its children: " + list_revisions(g, children) +
                          "); a new migration on it starts a new branch: pass --splice to do "
                          "that, or choose a head with --head");
      }
      parent = g.revision(id);
      parent_ids.push_back(id);
    }
  } else {
    auto heads = g.real_heads();
    if (heads.size() > 1)
      throw usage_error("there are several heads (" + list_revisions(g, heads) +
                        "); choose one with --head REV, or merge them first with 'merge heads'");
    if (!heads.empty()) {
      parent = g.revision(heads.front());
      parent_ids.push_back(heads.front());
    }
  }
  std::string revision = choose_revision(ctx, o.rev_id);
  check_branch_label(g, o.branch_label, revision);
  std::vector<std::string> depends_on;
  for (const auto& d : o.depends_on) {
    if (d == "base" || d == "head" || d == "heads")
      throw usage_error("--depends-on '" + d +
                        "': name a revision, a prefix of one or a branch label");
    std::string full = g.revision(resolve_one(g, d, "--depends-on"));
    if (std::find(depends_on.begin(), depends_on.end(), full) == depends_on.end())
      depends_on.push_back(full);
  }
  // A new root, or a child of a revision that has children, adds a head.
  bool adds_head =
      o.parent_revision.empty() && (parent_ids.empty() || !g.children(parent_ids.front()).empty());
  if (adds_head && !g.empty() && !ctx.config().allow_multiple_heads) {
    auto others = heads_after(g, parent_ids);
    if (!others.empty())
      ctx.info(
          "note: '" + revision + "' starts a new branch; the migrations will have " +
          std::to_string(others.size() + 1) + " heads (with " + list_revisions(g, others) +
          "): merge them with 'merge heads', or pass ALLOW_MULTIPLE_HEADS to add_migrations()");
  }
  if (o.cpp) {
    std::string text = header("//", revision, parent, o.branch_label, depends_on, o.message) +
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
  std::string extra;
  for (const auto& line : o.header_lines) extra += "-- migrate:" + line + "\n";
  std::string text = header("--", revision, parent, o.branch_label, depends_on, o.message) + extra +
                     "\n-- migrate:upgrade\n" + (o.upgrade_sql.empty() ? "\n" : o.upgrade_sql) +
                     "\n-- migrate:downgrade\n" +
                     (o.downgrade_sql.empty() ? "\n" : o.downgrade_sql);
  // What autogenerate writes on purpose (a drop the declared schema asks
  // for) carries the lint rule it breaks, and why, before its statement.
  if (!o.upgrade_sql.empty() || !o.downgrade_sql.empty())
    text = with_lint_suppressions("new.sql", text, "the declared schema asks for it");
  return write_migration(ctx, revision, o.message, text, ".sql");
}

int merge_command(runner_context& ctx, const std::vector<std::string>& revisions,
                  const std::string& message, const std::string& rev_id,
                  const std::string& branch_label) {
  check_message(message);
  const auto& g = ctx.graph();
  std::vector<node_id> parents;
  revision_resolver resolver(g, {});
  for (const auto& r : revisions) {
    if (r == "base") throw usage_error("'base' cannot be merged: name revisions, or heads");
    for (node_id id : resolver.resolve(r))
      if (std::find(parents.begin(), parents.end(), id) == parents.end()) parents.push_back(id);
  }
  // `merge heads` (the target <name>_merge) when the graph has one head:
  // nothing is wrong, and nothing is written.
  bool asked_for_heads = std::find(revisions.begin(), revisions.end(), "heads") != revisions.end();
  if (parents.size() == 1 && asked_for_heads) {
    std::cout << "there is only one head, '" << g.revision(parents.front())
              << "': nothing to merge\n";
    return ok;
  }
  if (parents.size() < 2)
    throw usage_error("a merge needs at least two revisions; " +
                      (parents.empty() ? std::string("none were given (name them, or say heads)")
                                       : "only '" + g.revision(parents.front()) + "' was given"));
  // Alembic's rule: only heads are merged (a merge on a non-head would start a branch).
  for (node_id id : parents)
    if (!g.children(id).empty()) {
      std::vector<node_id> children = g.children(id);
      throw usage_error("revision '" + g.revision(id) + "' is not a head (its children: " +
                        list_revisions(g, children) + "); merge heads only");
    }
  // A head that another one depends on is already below it: merging the two
  // would name a parent that is never a version row of its own.
  for (node_id a : parents) {
    auto below = g.closure_down({a});
    for (node_id b : parents)
      if (b != a && below[static_cast<size_t>(b)])
        throw usage_error("revision '" + g.revision(b) + "' is already applied with '" +
                          g.revision(a) + "' (which depends on it); merge only independent heads");
  }
  std::string list;
  for (node_id id : parents) list += (list.empty() ? "" : ", ") + g.revision(id);
  std::string revision = choose_revision(ctx, rev_id);
  check_branch_label(g, branch_label, revision);
  std::string text = header("--", revision, list, branch_label, {}, message) +
                     "\n-- migrate:upgrade\n\n-- migrate:downgrade\n";
  return write_migration(ctx, revision, message, text, ".sql");
}

}  // namespace migration_tools::cli
