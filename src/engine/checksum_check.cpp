#include "checksum_check.hpp"

#include <string_view>
#include <vector>

#include "migration_tools/core/meaning_checksum.hpp"

namespace migration_tools::engine {

std::string short_checksum(const std::string& checksum) {
  return checksum.empty() ? "(none)" : checksum.substr(0, 12);
}

namespace {

// The latest recorded checksum of each node (an empty view and -1: none).
struct latest_rows {
  pqxx::result rows;  // owns what the views point into
  std::vector<long long> id;
  std::vector<std::string_view> checksum;
};

latest_rows latest_checksums(runner_context& ctx, pqxx::transaction_base& tx) {
  const auto& g = ctx.graph();
  latest_rows out;
  out.rows = ctx.books().checksum_rows(tx);
  out.id.assign(g.size(), -1);
  out.checksum.assign(g.size(), {});
  for (const auto& row : out.rows) {
    node_id id = g.find(std::string_view(row[0].c_str(), row[0].size()));
    if (id < 0) continue;  // a revision this runner does not know
    auto history_id = row[2].as<long long>();
    auto i = static_cast<size_t>(id);
    if (history_id > out.id[i]) {
      out.id[i] = history_id;
      out.checksum[i] = std::string_view(row[1].c_str(), row[1].size());
    }
  }
  return out;
}

}  // namespace

std::vector<changed_migration> changed_migrations(runner_context& ctx, pqxx::transaction_base& tx,
                                                  const applied_state& state) {
  const auto& g = ctx.graph();
  if (!ctx.books().history_exists(tx)) return {};
  // Only the rows that differ are read in full.
  auto latest = latest_checksums(ctx, tx);
  std::vector<changed_migration> out;
  for (node_id id : g.topological_order()) {
    auto i = static_cast<size_t>(id);
    if (!state.applied[i] || latest.id[i] < 0) continue;
    std::string current = ctx.checksum(id);
    // A row of either kind verifies against the same kind of today's file.
    const std::string& now =
        is_meaning_checksum(latest.checksum[i]) ? current : ctx.text_checksum(id);
    if (now != latest.checksum[i])
      out.push_back({id, ctx.books().recorded_checksum_at(tx, latest.id[i]), current});
  }
  return out;
}

std::vector<node_id> textual_checksum_migrations(runner_context& ctx, pqxx::transaction_base& tx,
                                                 const applied_state& state) {
  const auto& g = ctx.graph();
  if (!ctx.books().history_exists(tx)) return {};
  auto latest = latest_checksums(ctx, tx);
  std::vector<node_id> out;
  for (node_id id : g.topological_order()) {
    auto i = static_cast<size_t>(id);
    if (!state.applied[i] || latest.id[i] < 0 || is_meaning_checksum(latest.checksum[i])) continue;
    if (latest.checksum[i] == ctx.text_checksum(id) && ctx.checksum(id) != ctx.text_checksum(id))
      out.push_back(id);
  }
  return out;
}

std::vector<diagnostic> describe_changed(const runner_context& ctx,
                                         const std::vector<changed_migration>& changed) {
  std::vector<diagnostic> ds;
  for (const auto& c : changed) {
    const auto& m = ctx.graph().at(c.id);
    const char* verb = c.recorded.direction == "stamp"    ? "stamped"
                       : c.recorded.direction == "repair" ? "repaired"
                                                          : "applied";
    ds.push_back({m.path, m.line_of("revision"), severity::error,
                  "revision '" + m.revision + "' was " + verb + " on " + c.recorded.recorded_at +
                      " from a file whose checksum was " + short_checksum(c.recorded.checksum) +
                      "; the file now has " + short_checksum(c.current) +
                      ": an applied migration was edited. Restore it, or record the edit with '" +
                      ctx.config().name + " repair'"});
  }
  return ds;
}

void refuse_changed_migrations(runner_context& ctx, const applied_state& state) {
  if (!ctx.books().exists()) return;
  pqxx::read_transaction tx(ctx.connection());
  auto changed = changed_migrations(ctx, tx, state);
  if (!changed.empty()) throw migration_file_error(describe_changed(ctx, changed));
}

std::vector<changed_migration> repair_changed_migrations(runner_context& ctx,
                                                         std::vector<node_id>* converted) {
  const auto& g = ctx.graph();
  auto& conn = ctx.connection();
  auto lock = ctx.lock_for_changes();
  pqxx::work tx(conn);
  ctx.lock_in(tx);
  auto state = state_from_version_rows(g, ctx.books().version_rows(tx));
  auto changed = changed_migrations(ctx, tx, state);
  for (const auto& c : changed)
    ctx.books().record(tx, {g.revision(c.id), "repair", c.current, g.at(c.id).path, ""});
  // Rows of the textual kind whose file is unchanged move to the checksum of
  // meaning, so that a later edit of layout or comments is no edit.
  for (node_id id : textual_checksum_migrations(ctx, tx, state)) {
    ctx.books().record(tx, {g.revision(id), "repair", ctx.checksum(id), g.at(id).path, ""});
    if (converted) converted->push_back(id);
  }
  tx.commit();
  return changed;
}

}  // namespace migration_tools::engine
