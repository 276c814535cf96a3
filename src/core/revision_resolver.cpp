#include "migration_tools/core/revision_resolver.hpp"

#include <algorithm>
#include <cctype>
#include <string>

#include "migration_tools/core/text.hpp"

namespace migration_tools {

namespace {

std::string quoted(std::string_view s) { return "'" + std::string(s) + "'"; }

bool parse_count(std::string_view s, long& n) {
  if (s.empty() || s.size() > 9) return false;
  n = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    n = n * 10 + (c - '0');
  }
  return true;
}

// Splits `rev+N` / `rev-N` / `+N` / `-N`; false when there is no relative part.
bool split_relative(std::string_view spec, std::string_view& base, long& steps) {
  auto pos = spec.find_last_of("+-");
  if (pos == std::string_view::npos) return false;
  long n = 0;
  if (!parse_count(spec.substr(pos + 1), n)) return false;
  base = spec.substr(0, pos);
  steps = spec[pos] == '+' ? n : -n;
  return true;
}

}  // namespace

std::string list_revisions(const revision_graph& graph, const revision_set& ids) {
  std::string out;
  for (node_id id : ids) out += (out.empty() ? "" : ", ") + quoted(graph.revision(id));
  return out;
}

node_id revision_resolver::resolve_single(std::string_view spec) const {
  if (node_id id = graph_.find(spec); id >= 0) return id;
  if (node_id id = graph_.find_label(spec); id >= 0) return id;
  std::vector<node_id> candidates;
  for (node_id id = 0; id < static_cast<node_id>(graph_.size()); ++id) {
    const auto& m = graph_.at(id);
    bool match = starts_with(m.revision, spec);
    for (const auto& label : m.branch_labels) match = match || starts_with(label, spec);
    if (match) candidates.push_back(id);
  }
  if (candidates.size() == 1) return candidates.front();
  if (candidates.empty()) {
    if (!is_valid_revision_id(spec))
      throw revision_error("malformed revision identifier " + quoted(spec));
    throw revision_error("no revision or branch label matches " + quoted(spec));
  }
  std::sort(candidates.begin(), candidates.end(), [&](node_id a, node_id b) {
    return graph_.revision(a) < graph_.revision(b);
  });
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
  spec = trim(spec);
  if (spec.empty()) throw revision_error("empty revision identifier");
  if (spec == "heads") return graph_.real_heads();
  if (spec == "head") return single_head(spec);
  if (spec == "base") return {};

  std::string_view from;
  long steps = 0;
  if (split_relative(spec, from, steps)) {
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

revision_set revision_resolver::walk(revision_set at, long steps, std::string_view spec) const {
  if (at.size() > 1)
    throw revision_error("ambiguous walk: " + quoted(spec) + " starts from several revisions (" +
                         list_revisions(graph_, at) + ")");
  long done = 0;
  long wanted = steps < 0 ? -steps : steps;
  auto fail = [&]() {
    throw revision_error("cannot walk " + quoted(spec) + ": only " + std::to_string(done) +
                         " of " + std::to_string(wanted) + " steps are possible " +
                         (steps > 0 ? "upwards" : "downwards"));
  };
  for (; done < wanted; ++done) {
    if (steps > 0) {
      const auto& next = at.empty() ? graph_.bases() : graph_.children(at.front());
      if (next.empty()) fail();
      if (next.size() > 1)
        throw revision_error("ambiguous walk: " + quoted(spec) + " reaches a branch at " +
                             (at.empty() ? std::string("base") : quoted(graph_.revision(at.front()))) +
                             " with " + list_revisions(graph_, next));
      at = {next.front()};
    } else {
      if (at.empty()) fail();
      const auto& prev = graph_.parents(at.front());
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
