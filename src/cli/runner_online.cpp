// The online runner: every command, the database ones included
// (database_session.hpp says why a runner is two executables).
#include <pqxx/pqxx>

#include "command_line.hpp"
#include "online_errors.hpp"

#if defined(__SANITIZE_ADDRESS__)
// libpqxx 6.4 leaks the PGresult of a statement whose connection the server
// closed (a failover, a shutdown: tests/db/pooler_and_replica_test.cpp), once
// per broken connection. Not ours to free; the leak check must not fail the
// runner's exit code for it.
extern "C" const char* __lsan_default_suppressions() {
  return "leak:libpqxx-6.4.so\n";
}
#endif

namespace migration_tools {

namespace {

using namespace cli;

int dispatch(runner_context& ctx, const parsed_command& c) {
  const std::string& n = c.name;
  if (n == "upgrade") return upgrade_command(ctx, c.target.empty() ? "head" : c.target, c.resume);
  if (n == "downgrade") return downgrade_command(ctx, c.target.empty() ? "-1" : c.target, c.resume);
  if (n == "stamp") return stamp_command(ctx, c.revisions, c.purge);
  if (n == "current") return current_command(ctx, c.verbose);
  if (n == "history") return history_command(ctx, c.history);
  if (n == "show") return show_command(ctx, c.revision);
  if (n == "check") return check_command(ctx);
  if (n == "repair") return repair_command(ctx);
  if (n == "new") return autogenerate_command(ctx, c.create);
  if (n == "diff") return diff_command(ctx, c.diff_from, c.diff_to);
  if (n == "dump")
    return c.check_file.empty() ? dump_command(ctx, c.output)
                                : dump_check_command(ctx, c.check_file);
  if (n == "test") return test_command(ctx, c.test);
  if (n == "lint") return lint_command(ctx, c.lint);
  if (n == "dev-db") return dev_db_command(ctx, c.dev_action);
  if (n == "config") return config_command(ctx);
  throw std::logic_error("'" + n + "' is no command of the online runner");
}

// libpqxx's own exceptions, which only the online runner can meet.
int run_online(runner_context& ctx, const parsed_command& c) {
  const char* runner = ctx.config().name;
  try {
    return dispatch(ctx, c);
  } catch (const pqxx::broken_connection& e) {
    print_error(runner, lost_connection_text(e));
    return database_failure;
  } catch (const pqxx::sql_error& e) {
    print_error(runner, with_privilege_hint(ctx.config(), server_error_text(e)));
    return database_failure;
  }
}

}  // namespace

int run_runner(const runner_config& config, const embedded_catalog& catalog, int argc,
               char** argv) {
  runner_mode mode;
  mode.run_online = &run_online;
  mode.open_database = &open_postgres_session;
  mode.run_fleet = &fleet_command;
  // Ends at once (end_runner): a connection begun early (start_connecting)
  // that the command did not need may still be on its way, on a thread that
  // static destructors and exit handlers must not pull libpq's state from.
  return end_runner(run_runner_as(config, catalog, argc, argv, mode));
}

}  // namespace migration_tools
