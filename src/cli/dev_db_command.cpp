// dev-db start|stop|status|url: the embedded development database.
#include <iostream>

#include "commands.hpp"
#include "migration_tools/postgres/dev_database.hpp"

namespace migration_tools::cli {

int dev_db_command(runner_context& ctx, const std::string& action) {
  dev_database dev(dev_db_directory(ctx.config()), ctx.config().name);
  if (action == "start") {
    std::cout << dev.ensure_running() << "\n";
    ctx.info("the development database is running (cluster in " + dev.directory() + ")");
  } else if (action == "stop") {
    // One cluster serves every runner of the build tree: say whose it was.
    ctx.info((dev.stop() ? "stopped the development database in " + dev.directory()
                         : "the development database in " + dev.directory() + " was not running") +
             " (the one cluster of every runner of this build tree)");
  } else if (action == "status") {
    bool up = dev.running();
    std::cout << (up ? "running" : "stopped") << " " << dev.directory() << "\n";
    return up ? ok : check_failed;
  } else if (action == "url") {
    std::cout << dev.url() << "\n";
  } else {
    throw usage_error("unknown dev-db action '" + action +
                      "' (expected start, stop, status or url)");
  }
  return ok;
}

}  // namespace migration_tools::cli
