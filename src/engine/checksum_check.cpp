#include "checksum_check.hpp"

#include <string_view>
#include <vector>

namespace migration_tools::engine {

std::string short_checksum(const std::string& checksum) {
  return checksum.empty() ? "(none)" : checksum.substr(0, 12);
}

std::vector<changed_migration> changed_migrations(runner_context& ctx, pqxx::transaction_base& tx,
                                                  const applied_state& state) {
  const auto& g = ctx.graph();
  if (!ctx.books().history_exists(tx)) return {};
  // The latest checksum row of each revision, by node; the rows are views
  // into `rows`, and only the ones that differ are read in full.
  auto rows = ctx.books().checksum_rows(tx);
  std::vector<long long> latest_id(g.size(), -1);
  std::vector<std::string_view> latest(g.size());
  for (const auto& row : rows) {
    node_id id = g.find(std::string_view(row[0].c_str(), row[0].size()));
    if (id < 0) continue;  // a revision this runner does not know
    auto history_id = row[2].as<long long>();
    auto& at = latest_id[static_cast<size_t>(id)];
    if (history_id > at) {
      at = history_id;
      latest[static_cast<size_t>(id)] = std::string_view(row[1].c_str(), row[1].size());
    }
  }
  std::vector<changed_migration> out;
  for (node_id id : g.topological_order()) {
    auto i = static_cast<size_t>(id);
    if (!state.applied[i] || latest_id[i] < 0) continue;
    std::string current = ctx.checksum(id);
    if (current != latest[i])
      out.push_back({id, ctx.books().recorded_checksum_at(tx, latest_id[i]), current});
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

std::vector<changed_migration> repair_changed_migrations(runner_context& ctx) {
  const auto& g = ctx.graph();
  auto& conn = ctx.connection();
  auto lock = ctx.lock_for_changes();
  pqxx::work tx(conn);
  auto state = state_from_version_rows(g, ctx.books().version_rows(tx));
  auto changed = changed_migrations(ctx, tx, state);
  for (const auto& c : changed)
    ctx.books().record(tx, {g.revision(c.id), "repair", c.current, g.at(c.id).path, ""});
  tx.commit();
  return changed;
}

}  // namespace migration_tools::engine
