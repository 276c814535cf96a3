// The in-app migrator: the runner's upgrade (run_migrations) with a log
// callback instead of the terminal, returning what it did.
#include "migration_tools/migrator.hpp"

#include <mutex>

#include "fleet_run.hpp"
#include "migration_run.hpp"
#include "migration_tools/core/url.hpp"
#include "migration_tools/postgres/connection_string.hpp"
#include "runner_context.hpp"

namespace migration_tools {

namespace {

engine::global_options options_of(const std::string& url, const upgrade_options& o) {
  engine::global_options g;
  g.url = url;
  g.url_origin = "the migrator's URL";
  // The application said where to migrate: a .env in its working directory
  // has no say (and is not read at all).
  g.read_dotenv = false;
  g.quiet = true;
  g.color = "never";
  g.command = "upgrade (in-app)";
  g.lock_wait = o.lock_wait;
  g.lock_timeout = o.lock_timeout;
  g.lock_retries = o.lock_retries;
  g.lock_retry_delay = o.lock_retry_delay;
  g.statement_timeout = o.statement_timeout;
  g.log = o.log;
  g.open_database = &engine::open_postgres_session;
  return g;
}

std::vector<pending_migration> pending_of(engine::runner_context& ctx) {
  const auto& g = ctx.graph();
  auto state = ctx.current_state();
  auto wanted = g.closure_down(g.real_heads());
  std::vector<pending_migration> out;
  for (node_id id : g.topological_order())
    if (wanted[static_cast<size_t>(id)] && !state.applied[static_cast<size_t>(id)])
      out.push_back({g.revision(id), g.at(id).message, g.at(id).path});
  return out;
}

upgrade_report upgrade_in(engine::runner_context& ctx, const upgrade_options& o) {
  auto run = engine::run_migrations(
      ctx, o.target, direction::upgrade, false,
      [&](const engine::migration_run_step& step) {
        if (o.log)
          o.log("upgrade " + step.label + (step.message.empty() ? "" : ", " + step.message) + " (" +
                step.path + ")");
      },
      [&](const engine::lock_timeout_report& r) {
        if (o.log)
          o.log("revision '" + r.step.revision + "' gave up waiting for a lock (try " +
                std::to_string(r.attempt) + " of " + std::to_string(r.tries) +
                "): " + engine::blockers_text(r.blockers, r.unseen_because));
      });
  upgrade_report report;
  report.from = std::move(run.from);
  report.to = std::move(run.to);
  report.duration = run.duration;
  for (auto& s : run.steps)
    report.applied.push_back(
        {std::move(s.revision), std::move(s.message), std::move(s.path), s.duration});
  return report;
}

// A URL must name a database: the in-app migrator never falls back to the
// development database.
void require_url(const std::string& url) {
  if (url.empty())
    throw usage_error("the migrator needs a database URL (or the application's connection)");
}

}  // namespace

std::vector<pending_migration> migrator::pending(const std::string& url) const {
  require_url(url);
  engine::runner_context ctx(config_, catalog_, options_of(url, {}));
  return pending_of(ctx);
}

std::vector<pending_migration> migrator::pending(pqxx::connection& connection) const {
  engine::runner_context ctx(config_, catalog_, options_of("", {}));
  ctx.adopt_connection(connection);
  return pending_of(ctx);
}

upgrade_report migrator::upgrade(const std::string& url, const upgrade_options& options) const {
  require_url(url);
  engine::runner_context ctx(config_, catalog_, options_of(url, options));
  return upgrade_in(ctx, options);
}

upgrade_report migrator::upgrade(pqxx::connection& connection,
                                 const upgrade_options& options) const {
  engine::runner_context ctx(config_, catalog_, options_of("", options));
  ctx.adopt_connection(connection);
  return upgrade_in(ctx, options);
}

std::vector<target_upgrade> migrator::upgrade_all(const std::vector<std::string>& urls,
                                                  const fleet_upgrade_options& options) const {
  for (const auto& url : urls) require_url(url);
  std::vector<engine::fleet_target> targets;
  for (const auto& url : urls) targets.push_back({url, "", describe_connection(url)});
  std::vector<target_upgrade> out(urls.size());
  std::mutex log_mutex;
  engine::fleet_settings settings;
  settings.jobs = options.jobs > 0 ? options.jobs : engine::default_fleet_jobs();
  settings.fail_fast = options.fail_fast;
  settings.canary = options.canary;
  settings.goal = "upgrade " + options.upgrade.target;
  // Before any thread connects (postgres_session sets it too, on its own).
  engine::prepare_libpq_environment(std::string(config_.name) + " upgrade (in-app)", "");
  engine::run_fleet(
      targets, settings,
      [&](const engine::fleet_target& t, size_t index, bool) {
        engine::target_outcome outcome;
        upgrade_options o = options.upgrade;
        if (options.upgrade.log)
          o.log = [&, name = t.name](const std::string& line) {
            std::lock_guard<std::mutex> lock(log_mutex);
            options.upgrade.log(name + ": " + line);
          };
        try {
          engine::runner_context ctx(config_, catalog_, options_of(t.url, o));
          out[index].report = upgrade_in(ctx, o);
          outcome.steps = static_cast<int>(out[index].report.applied.size());
        } catch (const usage_error& e) {
          outcome.exit_code = 2;
          outcome.message = redact_url(e.what());
        } catch (const std::exception& e) {
          outcome.exit_code = 1;
          outcome.message = redact_url(e.what());
        }
        return outcome;
      },
      [&](const engine::target_report& r, size_t, size_t) {
        auto& t = out[r.index];
        t.target = r.target.name;
        t.ok = r.status == engine::target_status::ok;
        t.error = r.status == engine::target_status::not_run
                      ? "not started: an earlier database failed (fail_fast or canary)"
                      : r.outcome.message;
        if (options.on_target) options.on_target(t);
      });
  return out;
}

}  // namespace migration_tools
