// upgrade, downgrade (the engine's run_migrations, printed) and stamp.
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "../engine/failed_state.hpp"
#include "../engine/migration_run.hpp"
#include "commands.hpp"
#include "migration_tools/core/stamp.hpp"
#include "migration_tools/core/text.hpp"

namespace migration_tools::cli {

namespace {

// The lock guard's report of a lock wait that timed out: to stderr even with
// -q (an operator decides from it), as a JSON line with --format json.
void print_lock_timeout(runner_context& ctx, const lock_timeout_report& r) {
  auto seconds = [](std::chrono::milliseconds d) {
    return std::chrono::duration<double>(d).count();
  };
  if (ctx.options().format == "json") {
    nlohmann::json blockers = nlohmann::json::array();
    for (const auto& b : r.blockers)
      blockers.push_back({{"pid", b.pid},
                          {"user", b.user},
                          {"application", b.application},
                          {"state", b.state},
                          {"transaction_seconds", b.transaction_seconds},
                          {"query", b.query}});
    nlohmann::json line = {{"event", "lock_timeout"}, {"revision", r.step.revision},
                           {"path", r.step.path},     {"attempt", r.attempt},
                           {"tries", r.tries},        {"waited_seconds", seconds(r.waited)},
                           {"blockers", blockers},    {"retry_in_seconds", seconds(r.pause)}};
    if (!r.unseen_because.empty()) line["blockers_unread"] = r.unseen_because;
    std::cerr << line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << std::endl;
    return;
  }
  std::string blockers;
  for (const auto& b : r.blockers)
    blockers += "\n  blocked by " + escape_control_characters(describe_blocking_session(b));
  if (r.blockers.empty())
    blockers = "\n  " + escape_control_characters(blockers_text({}, r.unseen_because));
  std::cerr << fmt::format(FMT_STRING("warning: revision '{}' ({}) gave up waiting for a lock "
                                      "after {:.1f} s (try {} of {}){}\n  {}"),
                           r.step.revision, escape_control_characters(r.step.path),
                           seconds(r.waited), r.attempt, r.tries, blockers,
                           r.pause.count() > 0
                               ? fmt::format(FMT_STRING("nothing of it is held; trying again in "
                                                        "{:.1f} s"),
                                             seconds(r.pause))
                               : std::string("that was the last try"))
            << std::endl;
}

// Progress of a statement that runs long: on a terminal a line rewritten in
// place every half second, otherwise a line every 5 s; nothing with -q.
progress_reporting progress_printer(runner_context& ctx) {
  progress_reporting out;
  if (ctx.options().quiet || ctx.options().format == "json") return out;
  bool terminal = ::isatty(STDERR_FILENO) != 0;
  if (terminal) out.every = std::chrono::milliseconds(500);
  out.report = [terminal](const migration_run_step& step, const step_progress& p) {
    if (terminal) {
      // The bar is erased when the step ends; the step's own line stays.
      if (p.finished) {
        std::cerr << "\r\033[K" << std::flush;
        return;
      }
      std::string bar;
      if (p.percent) {
        int filled = static_cast<int>(*p.percent / 5);
        bar = "[" + std::string(static_cast<size_t>(std::clamp(filled, 0, 20)), '#') +
              std::string(static_cast<size_t>(20 - std::clamp(filled, 0, 20)), '.') + "] ";
      }
      std::cerr << "\r\033[K  " << bar << escape_control_characters(describe_progress(p))
                << std::flush;
      return;
    }
    if (!p.finished)
      std::cerr << "  still running revision '" << step.revision
                << "': " << escape_control_characters(describe_progress(p)) << std::endl;
  };
  return out;
}

int migrate(runner_context& ctx, const std::string& target, direction dir, bool resume) {
  const bool up = dir == direction::upgrade;
  auto run = run_migrations(
      ctx, target, dir, resume,
      [&](const migration_run_step& step) {
        if (!ctx.options().quiet)
          std::cout << (up ? "upgrade   " : "downgrade ") << step.label
                    << (step.message.empty() ? "" : ", " + escape_control_characters(step.message))
                    << "  (" << escape_control_characters(step.path) << ")" << std::endl;
      },
      [&](const lock_timeout_report& r) { print_lock_timeout(ctx, r); }, progress_printer(ctx));
  auto at = [&](const std::vector<std::string>& rows) {
    std::vector<node_id> ids;
    for (const auto& r : rows) ids.push_back(ctx.graph().find(r));
    return describe_revisions(ctx.graph(), ids);
  };
  if (run.steps.empty()) {
    ctx.info("nothing to do: the database is at " + at(run.to));
    return ok;
  }
  ctx.info(fmt::format(FMT_STRING("{} {} migration{} in {:.2f} s; the database is at {}"),
                       up ? "upgraded" : "downgraded", run.steps.size(),
                       run.steps.size() == 1 ? "" : "s",
                       std::chrono::duration<double>(run.duration).count(), at(run.to)));
  return ok;
}

// The history keeps what the stamp did to the version table: a `stamp` row
// for each row it inserted and an `unstamp` row for each row it deleted. Only
// a revision the stamp newly marks applied gets its file's checksum: one that
// was applied before keeps the checksum recorded when it ran, so a stamp
// never hides an edit to an applied migration. (After --purge nothing is
// known of before, and every inserted row gets its checksum.)
void record_stamp(runner_context& ctx, pqxx::transaction_base& tx, const applied_state& before,
                  const stamp_plan& p) {
  const auto& graph = ctx.graph();
  for (const auto& revision : p.change.deletes)
    ctx.books().record(tx, {revision, "unstamp", "", graph.at(graph.find(revision)).path, ""});
  for (const auto& revision : p.change.inserts) {
    node_id id = graph.find(revision);
    bool newly_applied = !before.applied[static_cast<size_t>(id)];
    ctx.books().record(
        tx, {revision, "stamp", newly_applied ? ctx.checksum(id) : "", graph.at(id).path, ""});
  }
}

}  // namespace

int upgrade_command(runner_context& ctx, const std::string& target, bool resume) {
  return migrate(ctx, target, direction::upgrade, resume);
}

int downgrade_command(runner_context& ctx, const std::string& target, bool resume) {
  return migrate(ctx, target, direction::downgrade, resume);
}

int stamp_command(runner_context& ctx, const std::vector<std::string>& targets, bool purge) {
  const auto& graph = ctx.graph();
  // With --purge the rows are not read: they may name revisions this runner
  // does not know, which is the usual reason to purge.
  auto state_now = [&](auto read_rows) {
    if (purge) return state_from_version_rows(graph, {});
    try {
      return state_from_version_rows(graph, read_rows());
    } catch (const usage_error& e) {
      throw usage_error(std::string(e.what()) + ", or replace the rows with 'stamp --purge REV'");
    }
  };
  // Plan first without the lock, so that bad input fails without waiting.
  plan_stamp(graph, state_now([&] { return ctx.version_rows(); }), targets, purge);
  auto& conn = ctx.connection();
  auto lock = ctx.lock_for_changes();
  // Setting the version explicitly also ends a failed `transactional false` migration.
  auto failed = read_failed_migrations(ctx);
  pqxx::work tx(conn);
  ctx.lock_in(tx);
  // Another runner may have moved the rows while this one waited: plan again.
  auto before = state_now([&] { return ctx.books().version_rows(tx); });
  auto p = plan_stamp(graph, before, targets, purge);
  if (p.purge) tx.exec0("DELETE FROM " + ctx.books().version_table());
  ctx.books().apply(tx, p.change);
  record_stamp(ctx, tx, before, p);
  if (!failed.empty()) {
    ctx.books().clear_all_progress(tx);
    // Ending a failed state is a change too, also when no version row moves.
    for (const auto& f : failed) {
      node_id id = graph.find(f.revision);
      ctx.books().record(
          tx, {f.revision, "stamp", "", id >= 0 ? graph.at(id).path : "",
               "stamp cleared the failed state of its " + f.direction + " (stopped at statement " +
                   std::to_string(f.rows.back().statement.index) +
                   "); its statements were not "
                   "run again"});
    }
  }
  tx.commit();
  for (const auto& f : failed)
    ctx.info("cleared the failed state of revision '" + f.revision + "' (" + f.direction +
             " stopped at statement " + std::to_string(f.rows.back().statement.index) +
             "); its statements are not run again");
  ctx.info("stamped the database at " + describe_revisions(graph, p.heads) +
           " without running any migration");
  return ok;
}

}  // namespace migration_tools::cli
