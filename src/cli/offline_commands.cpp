// upgrade --sql and downgrade --sql: the engine writes the script; this says
// what it wrote.
#include "../engine/offline_script.hpp"
#include "commands.hpp"

namespace migration_tools::cli {

namespace {

int offline_command(runner_context& ctx, const std::string& range, direction dir,
                    const std::string& output) {
  auto written = write_offline_script(ctx, range, dir, output);
  const auto& graph = ctx.graph();
  ctx.info("wrote an offline " + std::string(dir == direction::upgrade ? "upgrade" : "downgrade") +
           " script of " + std::to_string(written.steps) + " migration" +
           (written.steps == 1 ? "" : "s") + " from " + describe_revisions(graph, written.from) +
           " to " + describe_revisions(graph, written.to) +
           "; run it with psql -v ON_ERROR_STOP=1 -f FILE");
  return ok;
}

}  // namespace

int offline_upgrade_command(runner_context& ctx, const std::string& range,
                            const std::string& output) {
  return offline_command(ctx, range, direction::upgrade, output);
}

int offline_downgrade_command(runner_context& ctx, const std::string& range,
                              const std::string& output) {
  return offline_command(ctx, range, direction::downgrade, output);
}

}  // namespace migration_tools::cli
