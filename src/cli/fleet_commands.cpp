// upgrade, downgrade, current, check and stamp over many targets: the
// engine's run_fleet with, for each target, the command a single run would
// run on a context of its own; printed as a line per target, a bar on a
// terminal, and a summary table (or one JSON document).
#include <fmt/format.h>
#include <unistd.h>

#include <iostream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <pqxx/pqxx>
#include <set>

#include "../engine/fleet_run.hpp"
#include "../engine/migration_run.hpp"
#include "command_line.hpp"
#include "migration_tools/core/text.hpp"
#include "migration_tools/core/url.hpp"
#include "migration_tools/postgres/connection_string.hpp"
#include "migration_tools/postgres/errors.hpp"
#include "online_errors.hpp"

namespace migration_tools::cli {

namespace {

bool fleet_capable(const parsed_command& c) {
  const std::string& n = c.name;
  if ((n == "upgrade" || n == "downgrade") && !c.sql) return true;
  return n == "current" || (n == "check" && !c.offline) || n == "stamp";
}

std::string goal_of(const parsed_command& c) {
  if (c.name == "upgrade") return "upgrade " + (c.target.empty() ? "head" : c.target);
  if (c.name == "downgrade") return "downgrade " + c.target;
  if (c.name == "stamp") {
    std::string out = c.purge ? "stamp --purge" : "stamp";
    for (const auto& r : c.revisions) out += " " + r;
    return out;
  }
  return c.name;
}

std::string first_line(const std::string& text) {
  return text.substr(0, text.find('\n'));
}

// The rows as people read them: "base" for none.
std::string rows_text(const std::vector<std::string>& rows) {
  if (rows.empty()) return "base";
  std::string out;
  for (const auto& r : rows) out += (out.empty() ? "" : ",") + r;
  return out;
}

// One target's command on a context of its own, every error an outcome.
target_outcome run_target(const runner_config& config, const embedded_catalog& catalog,
                          global_options g, const parsed_command& c, const fleet_target& target,
                          bool resume, std::mutex& print_mutex) {
  target_outcome out;
  runner_config tenant_config = config;
  if (!target.tenant_schema.empty()) tenant_config.schema = target.tenant_schema.c_str();
  g.url = target.url;
  g.tenant_schema = target.tenant_schema;
  g.read_dotenv = false;
  g.connect_early = false;
  // The server's notices and the per-target chatter would interleave: the
  // warnings (the lock guard's) are printed, prefixed with the target.
  g.server_notices = false;
  std::string name = target.name;
  g.log = [&print_mutex, name, verbose = g.verbose](const std::string& message) {
    if (!verbose && message.rfind("warning", 0) != 0) return;
    std::lock_guard<std::mutex> lock(print_mutex);
    std::cerr << name << ": " << escape_control_characters(redact_url(message)) << std::endl;
  };
  auto fail = [&](int code, const std::string& message) {
    out.exit_code = code;
    out.message = redact_url(with_privilege_hint(tenant_config, message));
  };
  const bool migrates = c.name == "upgrade" || c.name == "downgrade";
  std::optional<runner_context> context;
  try {
    auto& ctx = context.emplace(tenant_config, catalog, g);
    if (migrates) {
      bool up = c.name == "upgrade";
      out.from_known = out.to_known = false;
      out.from = out.to = ctx.version_rows();
      out.from_known = true;
      auto run = run_migrations(
          ctx, c.target.empty() ? (up ? "head" : "-1") : c.target,
          up ? direction::upgrade : direction::downgrade, resume || c.resume, nullptr,
          [&](const lock_timeout_report& r) {
            ctx.warn(fmt::format(FMT_STRING("warning: revision '{}' gave up waiting for a lock "
                                            "(try {} of {}): {}"),
                                 r.step.revision, r.attempt, r.tries,
                                 blockers_text(r.blockers, r.unseen_because)));
          });
      out.from = run.from;
      out.to = run.to;
      out.to_known = true;
      out.steps = static_cast<int>(run.steps.size());
    } else if (c.name == "current") {
      out.from = out.to = ctx.version_rows();
    } else if (c.name == "check") {
      applied_state state;
      auto problems = check_problems(ctx, state);
      for (node_id id : state.heads) out.to.push_back(ctx.graph().revision(id));
      out.from = out.to;
      if (!problems.empty()) {
        out.exit_code = check_failed;
        for (const auto& p : problems) out.message += (out.message.empty() ? "" : "\n") + p;
      }
    } else if (c.name == "stamp") {
      out.from = ctx.version_rows();
      stamp_command(ctx, c.revisions, c.purge);
      out.to = ctx.version_rows();
    }
  } catch (const usage_error& e) {
    fail(bad_input, e.what());
  } catch (const database_error& e) {
    fail(database_failure, e.what());
  } catch (const pqxx::broken_connection& e) {
    fail(database_failure, lost_connection_text(e));
  } catch (const pqxx::sql_error& e) {
    fail(database_failure, server_error_text(e));
  } catch (const std::exception& e) {
    fail(database_failure, e.what());
  }
  // Where a failed run left the database: the revisions before the failure
  // stay applied. Unknown when the database cannot be asked (it went away).
  if (out.exit_code != 0 && migrates && context && out.from_known) {
    try {
      out.to = context->version_rows();
      out.to_known = true;
    } catch (const std::exception&) {
      out.to_known = false;
    }
  }
  return out;
}

// The tenant schemas a query lists, first column of each row, read in a
// read-only transaction of the database at `url`.
std::vector<std::string> tenants_from_query(const runner_config& config,
                                            const embedded_catalog& catalog, global_options g,
                                            const std::string& url, const std::string& query) {
  g.url = url;
  g.connect_early = false;
  runner_context ctx(config, catalog, g);
  pqxx::read_transaction tx(ctx.connection());
  std::vector<std::string> out;
  pqxx::result rows;
  try {
    rows = tx.exec(query);
  } catch (const pqxx::sql_error& e) {
    throw usage_error("--tenant-schemas-from: the query failed on " + describe_connection(url) +
                      ": " + postgres_message(e.what()));
  }
  for (const auto& row : rows) {
    if (row.empty() || row[0].is_null())
      throw usage_error("--tenant-schemas-from: the query gave a row without a schema name");
    out.push_back(row[0].c_str());
  }
  return out;
}

std::vector<fleet_target> fleet_targets(const runner_config& config,
                                        const embedded_catalog& catalog, const global_options& g,
                                        const fleet_options& f) {
  std::vector<std::string> urls = f.urls;
  if (!f.urls_file.empty())
    for (auto& u : read_urls_file(f.urls_file)) urls.push_back(std::move(u));
  bool tenants = !f.tenant_schemas.empty() || !f.tenant_schemas_from.empty();
  if (urls.empty()) {
    // Schema-per-tenant in the one database the runner would use.
    runner_context ctx(config, catalog, g);
    urls.push_back(ctx.database_url());
  }
  std::vector<fleet_target> out;
  for (const auto& url : urls) {
    std::string shown = describe_connection(url);
    if (!tenants) {
      out.push_back({url, "", shown});
      continue;
    }
    std::vector<std::string> schemas = f.tenant_schemas;
    if (!f.tenant_schemas_from.empty())
      for (auto& s : tenants_from_query(config, catalog, g, url, f.tenant_schemas_from))
        schemas.push_back(std::move(s));
    for (const auto& s : schemas) {
      if (s.empty() || s.size() > 63)
        throw usage_error("tenant schema '" + s + "': a schema name has 1 to 63 bytes");
      out.push_back({url, s, shown + " schema " + s});
    }
  }
  // The same target twice would race itself for its lock: once is enough.
  std::vector<fleet_target> unique;
  std::set<std::string> seen;
  for (auto& t : out)
    if (seen.insert(t.name).second) unique.push_back(std::move(t));
  return unique;
}

std::string seconds(std::chrono::milliseconds d) {
  return fmt::format(FMT_STRING("{:.2f} s"), std::chrono::duration<double>(d).count());
}

void print_summary(const fleet_report& report) {
  size_t width = 6;
  for (const auto& r : report.targets) width = std::max(width, r.target.name.size());
  width = std::min<size_t>(width, 60);
  std::cout << fmt::format("{:<{}}  {:<14}  {:<14}  {:>5}  {:>8}  {}\n", "target", width, "from",
                           "to", "steps", "time", "result");
  for (const auto& r : report.targets) {
    std::string result = status_text(r.status);
    if (r.status == target_status::failed)
      result += ": " + escape_control_characters(first_line(r.outcome.message));
    bool ran = r.status == target_status::ok || r.status == target_status::failed;
    std::cout << fmt::format(
        "{:<{}}  {:<14}  {:<14}  {:>5}  {:>8}  {}\n", escape_control_characters(r.target.name),
        width, r.outcome.from_known ? rows_text(r.outcome.from) : "?",
        r.outcome.to_known ? rows_text(r.outcome.to) : "?",
        ran ? std::to_string(r.outcome.steps) : "-", ran ? seconds(r.duration) : "-", result);
  }
  size_t ok_count = 0, failed = 0, skipped = 0, not_run = 0;
  for (const auto& r : report.targets) {
    ok_count += r.status == target_status::ok;
    failed += r.status == target_status::failed;
    skipped += r.status == target_status::done_before;
    not_run += r.status == target_status::not_run;
  }
  std::cout << fmt::format("{} target{}: {} ok, {} failed, {} done before, {} not run, in {}\n",
                           report.targets.size(), report.targets.size() == 1 ? "" : "s", ok_count,
                           failed, skipped, not_run, seconds(report.duration));
  // The whole message of each failure, after the table that names them.
  for (const auto& r : report.targets)
    if (r.status == target_status::failed && r.outcome.message.find('\n') != std::string::npos)
      std::cout << "\n"
                << escape_control_characters(r.target.name) << ":\n  "
                << escape_control_characters(r.outcome.message) << "\n";
}

nlohmann::json report_json(const std::string& goal, const fleet_report& report) {
  nlohmann::json targets = nlohmann::json::array();
  for (const auto& r : report.targets) {
    nlohmann::json t = {
        {"target", r.target.name},
        {"result", status_text(r.status)},
        {"from", r.outcome.from_known ? nlohmann::json(r.outcome.from) : nlohmann::json()},
        {"to", r.outcome.to_known ? nlohmann::json(r.outcome.to) : nlohmann::json()},
        {"steps", r.outcome.steps},
        {"seconds", std::chrono::duration<double>(r.duration).count()},
        {"exit_code", r.outcome.exit_code}};
    if (!r.target.tenant_schema.empty()) t["tenant_schema"] = r.target.tenant_schema;
    if (!r.outcome.message.empty()) t["message"] = r.outcome.message;
    targets.push_back(std::move(t));
  }
  return {{"command", goal},
          {"targets", targets},
          {"seconds", std::chrono::duration<double>(report.duration).count()},
          {"exit_code", report.exit_code}};
}

}  // namespace

int fleet_command(const runner_config& config, const embedded_catalog& catalog,
                  const global_options& g, const parsed_command& c) {
  const fleet_options& f = c.fleet;
  if (!fleet_capable(c))
    throw usage_error("'" + c.name + (c.sql ? " --sql" : "") + (c.offline ? " --offline" : "") +
                      "' runs on one database; many targets (--url repeated, --urls-file, "
                      "--tenant-schema) are for upgrade, downgrade, current, check and stamp");
  if (c.name == "downgrade" && c.target.empty())
    throw usage_error("downgrade needs a TARGET: -1, base, a revision, or <rev>-N");
  if (c.name == "stamp" && c.revisions.empty()) throw usage_error("stamp needs a revision");
  // libpq reads these from the environment: set once, before any thread.
  prepare_libpq_environment(std::string(config.name) + " " + c.name + " (fleet)",
                            g.connect_timeout);
  global_options quiet = g;
  quiet.quiet = true;
  auto targets = fleet_targets(config, catalog, quiet, f);

  fleet_settings settings;
  settings.jobs = f.jobs > 0 ? f.jobs : default_fleet_jobs();
  settings.fail_fast = f.fail_fast;
  settings.canary = f.canary;
  settings.state_file = f.state_file;
  settings.resume = c.resume && !f.state_file.empty();
  settings.goal = goal_of(c);

  const bool json = g.format == "json";
  const bool terminal = !json && !g.quiet && ::isatty(STDERR_FILENO) != 0;
  std::mutex print_mutex;
  auto bar = [&](size_t done, size_t total) {
    size_t filled = total ? done * 30 / total : 30;
    std::cerr << "\r\033[K[" << std::string(filled, '#') << std::string(30 - filled, '.') << "] "
              << done << "/" << total << std::flush;
  };
  if (!g.quiet && !json)
    std::cerr << settings.goal << " on " << targets.size() << " target"
              << (targets.size() == 1 ? "" : "s") << ", " << settings.jobs << " at a time"
              << (settings.canary > 0
                      ? ", the first " + std::to_string(settings.canary) + " alone (--canary)"
                      : "")
              << std::endl;
  auto report = run_fleet(
      targets, settings,
      [&](const fleet_target& t, size_t, bool resume) {
        return run_target(config, catalog, g, c, t, resume, print_mutex);
      },
      [&](const target_report& r, size_t done, size_t total) {
        if (json || g.quiet) return;
        std::lock_guard<std::mutex> lock(print_mutex);
        if (terminal) std::cerr << "\r\033[K";
        std::string what;
        switch (r.status) {
          case target_status::ok:
            what = rows_text(r.outcome.from) + " -> " + rows_text(r.outcome.to) + " (" +
                   std::to_string(r.outcome.steps) + " step" + (r.outcome.steps == 1 ? "" : "s") +
                   ", " + seconds(r.duration) + ")";
            break;
          case target_status::failed:
            what = first_line(r.outcome.message);
            break;
          case target_status::done_before:
            what = "at " + rows_text(r.outcome.to) + " in an earlier run (--resume)";
            break;
          case target_status::not_run:
            what = f.fail_fast ? "not started after a failure (--fail-fast)"
                               : "not started: a canary target failed (--canary)";
            break;
        }
        std::cerr << fmt::format("{:<11} {}: {}", status_text(r.status),
                                 escape_control_characters(r.target.name),
                                 escape_control_characters(what))
                  << std::endl;
        if (terminal && done < total) bar(done, total);
      });
  if (json) {
    std::cout << report_json(settings.goal, report)
                     .dump(2, ' ', false, nlohmann::json::error_handler_t::replace)
              << std::endl;
  } else {
    print_summary(report);
  }
  return report.exit_code;
}

}  // namespace migration_tools::cli
