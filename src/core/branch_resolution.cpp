// The branch-qualified half of the identifier grammar, `X@Y`, read from
// Alembic's RevisionMap (_resolve_branch, _revision_for_ident, _walk,
// _parse_upgrade_target, _parse_downgrade_target): X names a branch, Y is
// head, heads, base, a member revision, or a relative step on that branch.
#include <algorithm>
#include <string>

#include "identifier_syntax.hpp"
#include "migration_tools/core/revision_resolver.hpp"

namespace migration_tools {

using identifier_syntax::quoted;

namespace {

std::vector<node_id> only_members(const std::vector<node_id>& ids, const branch_scope& branch) {
  std::vector<node_id> out;
  for (node_id id : ids)
    if (branch.contains(id)) out.push_back(id);
  return out;
}

}  // namespace

branch_scope revision_resolver::resolve_branch(std::string_view name) const {
  // A label first, then a revision "meaning the branch containing it", then a
  // unique prefix of either; an ambiguous prefix keeps its own message.
  node_id anchor = graph_.find_label(name);
  if (anchor < 0) anchor = graph_.find(name);
  if (anchor < 0) {
    auto candidates = identifier_syntax::prefix_matches(graph_, name);
    if (candidates.size() > 1)
      throw revision_error("branch prefix " + quoted(name) + " is ambiguous; it matches " +
                           list_revisions(graph_, candidates));
    if (candidates.empty()) throw revision_error("no such branch " + quoted(name));
    anchor = candidates.front();
  }
  return {std::string(name), anchor, graph_.lineage({anchor}, edge_kind::versioned)};
}

revision_set revision_resolver::resolve_in_branch(std::string_view spec, std::string_view whole,
                                                  const branch_scope& branch) const {
  // Versioned heads, not only real ones: `lib_a@head` is lib_a's last
  // revision even when another branch depends on it.
  if (spec == "heads") return only_members(graph_.heads(), branch);
  if (spec == "head") {
    auto heads = only_members(graph_.heads(), branch);
    if (heads.size() > 1)
      throw revision_error(quoted(whole) + " is ambiguous: branch " + quoted(branch.name) +
                           " has several heads (" + list_revisions(graph_, heads) +
                           "); name one by its revision, use '" + branch.name +
                           "@heads', or merge them with 'merge heads'");
    return heads;
  }
  if (spec == "base") return {};

  std::string_view from;
  long steps = 0;
  if (!identifier_syntax::split_relative(spec, from, steps)) return {resolve_member(spec, branch)};
  revision_set start;
  if (from.empty()) {
    start = start_on_branch(branch, steps, whole);
  } else if (from == "head") {
    start = resolve_in_branch("head", whole, branch);
  } else if (from == "base") {
    start = {};
  } else if (from == "heads") {
    throw revision_error("relative step from 'heads' is ambiguous; name one head");
  } else {
    start = {resolve_member(from, branch)};
  }
  return walk(std::move(start), steps, whole, &branch.members);
}

node_id revision_resolver::resolve_member(std::string_view spec, const branch_scope& branch) const {
  auto not_member = [&](node_id id) {
    return revision_error("revision " + quoted(graph_.revision(id)) +
                          " is not a member of branch " + quoted(branch.name));
  };
  if (node_id id = identifier_syntax::exact_match(graph_, spec); id >= 0) {
    if (!branch.contains(id)) throw not_member(id);
    return id;
  }
  // A prefix only has to be unique on the branch: `ebranch@some` is fine
  // while `some` alone matches revisions on two branches.
  auto candidates = identifier_syntax::prefix_matches(graph_, spec);
  auto inside = only_members(candidates, branch);
  if (inside.size() == 1) return inside.front();
  if (inside.size() > 1)
    throw revision_error("revision prefix " + quoted(spec) + " is ambiguous on branch " +
                         quoted(branch.name) + "; it matches " + list_revisions(graph_, inside));
  if (candidates.empty()) identifier_syntax::throw_no_match(spec);
  if (candidates.size() == 1) throw not_member(candidates.front());
  throw revision_error("no member of branch " + quoted(branch.name) + " matches " + quoted(spec) +
                       "; it matches " + list_revisions(graph_, candidates) + " on other branches");
}

revision_set revision_resolver::start_on_branch(const branch_scope& branch, long steps,
                                                std::string_view whole) const {
  // `X@+N` / `X@-N` start from the current heads that are on the branch.
  auto on = only_members(current_, branch);
  if (!on.empty()) return on;
  auto applied = graph_.closure_down(current_);
  if (steps > 0) {
    // The branch is not at a current head (another branch grew past its
    // branch point): start from the highest applied revisions of the branch,
    // or from base when none of it is applied.
    for (size_t i = 0; i < applied.size(); ++i) applied[i] = applied[i] && branch.members[i];
    return graph_.heads_of(applied, edge_kind::all);
  }
  // Downwards the branch's top may be hidden behind a dependent's row: take
  // the applied revisions that no applied child sits on.
  auto tops = only_members(graph_.heads_of(applied, edge_kind::versioned), branch);
  if (tops.empty())
    throw revision_error("cannot walk " + quoted(whole) + ": no current revision is on branch " +
                         quoted(branch.name));
  return tops;
}

}  // namespace migration_tools
