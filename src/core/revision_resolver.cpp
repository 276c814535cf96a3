#include "migration_tools/core/revision_resolver.hpp"

#include <algorithm>
#include <string>

#include "identifier_syntax.hpp"
#include "migration_tools/core/text.hpp"

namespace migration_tools {

namespace identifier_syntax {

namespace {

bool parse_count(std::string_view s, long& n) {
  if (s.empty() || s.size() > 9) return false;
  n = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    n = n * 10 + (c - '0');
  }
  return true;
}

}  // namespace

bool split_relative(std::string_view spec, std::string_view& base, long& steps) {
  auto pos = spec.find_last_of("+-");
  if (pos == std::string_view::npos) return false;
  long n = 0;
  if (!parse_count(spec.substr(pos + 1), n)) return false;
  base = spec.substr(0, pos);
  steps = spec[pos] == '+' ? n : -n;
  return true;
}

node_id exact_match(const revision_graph& graph, std::string_view spec) {
  if (node_id id = graph.find(spec); id >= 0) return id;
  return graph.find_label(spec);
}

std::vector<node_id> prefix_matches(const revision_graph& graph, std::string_view spec) {
  std::vector<node_id> out;
  for (node_id id = 0; id < static_cast<node_id>(graph.size()); ++id) {
    const auto& m = graph.at(id);
    bool match = starts_with(m.revision, spec);
    for (const auto& label : m.branch_labels) match = match || starts_with(label, spec);
    if (match) out.push_back(id);
  }
  std::sort(out.begin(), out.end(),
            [&](node_id a, node_id b) { return graph.revision(a) < graph.revision(b); });
  return out;
}

void throw_no_match(std::string_view spec) {
  if (!is_valid_revision_id(spec))
    throw revision_error("malformed revision identifier " + quoted(spec));
  throw revision_error("no revision or branch label matches " + quoted(spec));
}

}  // namespace identifier_syntax

using identifier_syntax::quoted;

std::string list_revisions(const revision_graph& graph, const revision_set& ids) {
  std::string out;
  for (node_id id : ids) out += (out.empty() ? "" : ", ") + quoted(graph.revision(id));
  return out;
}

node_id revision_resolver::resolve_single(std::string_view spec) const {
  if (node_id id = identifier_syntax::exact_match(graph_, spec); id >= 0) return id;
  auto candidates = identifier_syntax::prefix_matches(graph_, spec);
  if (candidates.size() == 1) return candidates.front();
  if (candidates.empty()) identifier_syntax::throw_no_match(spec);
  throw revision_error("revision prefix " + quoted(spec) + " is ambiguous; it matches " +
                       list_revisions(graph_, candidates));
}

revision_set revision_resolver::single_head(std::string_view spec) const {
  auto heads = graph_.real_heads();
  if (heads.size() > 1)
    throw revision_error("'" + std::string(spec) + "' is ambiguous: there are several heads (" +
                         list_revisions(graph_, heads) +
                         "); name one with <label>@head or its revision, use 'heads', "
                         "or merge them with 'merge heads'");
  return heads;
}

revision_set revision_resolver::resolve(std::string_view spec) const {
  return resolve_target(spec).revisions;
}

resolved_target revision_resolver::resolve_target(std::string_view spec) const {
  spec = trim(spec);
  if (spec.empty()) throw revision_error("empty revision identifier");
  auto at = spec.find('@');
  if (at == std::string_view::npos) return {resolve_plain(spec), std::nullopt};

  // Alembic splits at the first '@': X is everything before it.
  auto name = trim(spec.substr(0, at));
  auto rest = trim(spec.substr(at + 1));
  if (name.empty())
    throw revision_error("missing branch before '@' in " + quoted(spec) + "; write <label>@" +
                         std::string(rest));
  if (rest.empty())
    throw revision_error("missing revision after '@' in " + quoted(spec) + "; write " +
                         std::string(name) + "@head, " + std::string(name) + "@base or " +
                         std::string(name) + "@<rev>");
  auto branch = resolve_branch(name);
  auto revisions = resolve_in_branch(rest, spec, branch);
  return {std::move(revisions), std::move(branch)};
}

revision_set revision_resolver::resolve_plain(std::string_view spec) const {
  if (spec == "heads") return graph_.real_heads();
  if (spec == "head") return single_head(spec);
  if (spec == "base") return {};

  std::string_view from;
  long steps = 0;
  if (identifier_syntax::split_relative(spec, from, steps)) {
    revision_set start;
    if (from.empty()) {
      start = current_;
    } else if (from == "head") {
      start = single_head(spec);
    } else if (from == "base") {
      start = {};
    } else if (from == "heads") {
      throw revision_error("relative step from 'heads' is ambiguous; name one head");
    } else {
      start = {resolve_single(from)};
    }
    return walk(std::move(start), steps, spec);
  }
  return {resolve_single(spec)};
}

revision_set revision_resolver::walk(revision_set at, long steps, std::string_view spec,
                                     const std::vector<char>* within) const {
  if (at.size() > 1)
    throw revision_error("ambiguous walk: " + quoted(spec) + " starts from several revisions (" +
                         list_revisions(graph_, at) + ")");
  // On a branch the walk only considers the branch's own revisions, which is
  // what lets `c2branch@base+3` pass the branch point below c2.
  auto keep = [&](const std::vector<node_id>& ids) {
    if (!within) return ids;
    std::vector<node_id> out;
    for (node_id id : ids)
      if ((*within)[static_cast<size_t>(id)]) out.push_back(id);
    return out;
  };
  long done = 0;
  long wanted = steps < 0 ? -steps : steps;
  auto fail = [&]() {
    throw revision_error("cannot walk " + quoted(spec) + ": only " + std::to_string(done) + " of " +
                         std::to_string(wanted) + " steps are possible " +
                         (steps > 0 ? "upwards" : "downwards"));
  };
  for (; done < wanted; ++done) {
    if (steps > 0) {
      auto next = keep(at.empty() ? graph_.bases() : graph_.children(at.front()));
      if (next.empty()) fail();
      if (next.size() > 1)
        throw revision_error(
            "ambiguous walk: " + quoted(spec) + " reaches a branch at " +
            (at.empty() ? std::string("base") : quoted(graph_.revision(at.front()))) + " with " +
            list_revisions(graph_, next));
      at = {next.front()};
    } else {
      if (at.empty()) fail();
      auto prev = keep(graph_.parents(at.front()));
      if (prev.size() > 1)
        throw revision_error("ambiguous walk: " + quoted(spec) + " reaches the merge point " +
                             quoted(graph_.revision(at.front())) + " with parents " +
                             list_revisions(graph_, prev));
      at = prev.empty() ? revision_set{} : revision_set{prev.front()};
    }
  }
  return at;
}

}  // namespace migration_tools
