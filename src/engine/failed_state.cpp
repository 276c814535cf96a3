#include "failed_state.hpp"

#include <algorithm>

#include "migration_tools/core/section_statements.hpp"
#include "migration_tools/postgres/errors.hpp"
#include "migration_tools/postgres/step_executor.hpp"

namespace migration_tools::engine {

namespace {

std::string line_list(const std::vector<const progress_row*>& rows) {
  std::string out;
  for (const auto* r : rows)
    out += (out.empty() ? "" : ", ") + std::to_string(r->statement.index) + " (line " +
           std::to_string(r->statement.line) + ")";
  return out;
}

std::string revisions_or_base(const revision_graph& graph, const std::vector<node_id>& ids) {
  if (ids.empty()) return "base";
  std::string out;
  for (node_id id : ids) out += (out.empty() ? "" : " ") + graph.revision(id);
  return out;
}

const sql_section* section_of(const revision_graph& graph, const failed_migration& f) {
  node_id id = graph.find(f.revision);
  if (id < 0) return nullptr;
  const auto& m = graph.at(id);
  if (m.kind != migration_kind::sql) return nullptr;
  return f.direction == "downgrade" ? &m.downgrade : &m.upgrade;
}

}  // namespace

std::vector<failed_migration> read_failed_migrations(runner_context& ctx) {
  std::vector<failed_migration> out;
  for (auto& row : ctx.books().progress_rows()) {
    if (out.empty() || out.back().revision != row.statement.revision ||
        out.back().direction != row.statement.direction)
      out.push_back({row.statement.revision, row.statement.direction, {}});
    out.back().rows.push_back(std::move(row));
  }
  return out;
}

std::string describe_failed_migration(runner_context& ctx, const failed_migration& f) {
  const auto& graph = ctx.graph();
  const char* runner = ctx.config().name;
  node_id id = graph.find(f.revision);
  const sql_section* section = section_of(graph, f);
  std::string of_total =
      section ? " of " + std::to_string(section_statements(*section).size()) : std::string();

  std::vector<const progress_row*> done;
  const progress_row* stopped = nullptr;
  size_t total = section ? section_statements(*section).size() : 0;
  int next_statement = 0;
  for (const auto& r : f.rows) {
    if (r.finished()) {
      done.push_back(&r);
    } else if (!stopped) {
      stopped = &r;
    }
  }
  std::string file = f.rows.front().statement.file;
  if (file.empty() && id >= 0) file = graph.at(id).path;
  std::string what = "revision '" + f.revision + "' (transactional false) ";
  int line = 0;
  if (stopped && !stopped->error.empty()) {
    what += "failed part-way through its " + f.direction + ", at statement " +
            std::to_string(stopped->statement.index) + of_total + ": " + stopped->error;
    line = stopped->statement.line;
  } else if (stopped) {
    what += "was interrupted part-way through its " + f.direction + ", at statement " +
            std::to_string(stopped->statement.index) + of_total + " (started " +
            stopped->started_at +
            ", never finished: the connection was lost, or the runner or an offline script "
            "stopped); whether that "
            "statement took effect is unknown";
    line = stopped->statement.line;
  } else if (total > 0 && done.size() < total) {
    // Every recorded statement finished, but not every statement was
    // recorded: the run stopped between two statements.
    next_statement = done.empty() ? 1 : done.back()->statement.index + 1;
    what += "stopped part-way through its " + f.direction + ": " + std::to_string(done.size()) +
            " of " + std::to_string(total) + " statements ran, and statement " +
            std::to_string(next_statement) +
            " never started (the connection was lost, or the runner or an offline script "
            "stopped)";
    line = done.empty() ? f.rows.back().statement.line : done.back()->statement.line;
  } else {
    what += "ran all its recorded " + f.direction +
            " statements, but its version was not recorded (the connection was lost, or the "
            "runner or an offline script stopped)";
    line = f.rows.back().statement.line;
  }
  std::string text = format_diagnostic({file, line, severity::error, what});
  text += "\n  statements that already ran and stay applied: " +
          (done.empty() ? std::string("none") : line_list(done));
  std::string resume_at = stopped ? " at statement " + std::to_string(stopped->statement.index)
                          : next_statement ? " at statement " + std::to_string(next_statement)
                                           : "";
  text += "\n  fix the cause, then continue" + resume_at + " with: " + runner + " " + f.direction +
          " --resume";
  if (id >= 0) {
    std::string self = f.revision;
    std::string before = revisions_or_base(graph, graph.parents(id));
    bool up = f.direction == "upgrade";
    text += "\n  or complete or undo its statements by hand and set the version with: " +
            std::string(runner) + " stamp " + (up ? self : before) + " (completed), or " + runner +
            " stamp " + (up ? before : self) + " (undone)";
  } else {
    text += "\n  or set the version with '" + std::string(runner) +
            " stamp REV' (this runner does not contain revision '" + f.revision + "')";
  }
  return text;
}

int resume_point(runner_context& ctx, const failed_migration& f) {
  const auto& graph = ctx.graph();
  node_id id = graph.find(f.revision);
  const sql_section* section = section_of(graph, f);
  if (!section)
    throw database_error("cannot resume revision '" + f.revision + "': this runner does not " +
                         (id < 0 ? "contain it" : "have it as an SQL migration"));
  const auto& m = graph.at(id);
  auto statements = section_statements(*section);
  int next = 1;
  for (const auto& r : f.rows) {
    if (!r.finished() || r.statement.index != next) break;
    size_t i = static_cast<size_t>(next) - 1;
    bool same = i < statements.size() &&
                bookkeeping_sql::statement_checksum(statements[i].text) == r.statement.checksum;
    if (!same) {
      int line = i < statements.size() ? file_line(*section, statements[i].line) : r.statement.line;
      throw database_error(format_diagnostic(
          {m.path, line, severity::error,
           "cannot resume revision '" + f.revision + "': statement " + std::to_string(next) +
               " (line " + std::to_string(r.statement.line) + " when it ran at " + r.finished_at +
               ") already ran but " +
               (i < statements.size() ? "has changed since" : "is no longer in the file") +
               "; restore it as it ran, or complete the migration by hand and set the version "
               "with: " +
               ctx.config().name + " stamp " +
               (f.direction == "upgrade" ? f.revision
                                         : revisions_or_base(graph, graph.parents(id)))}));
    }
    ++next;
  }
  return next;
}

resume_plan check_failed_state(runner_context& ctx, plan& p, bool resume) {
  auto failed = read_failed_migrations(ctx);
  if (failed.empty()) {
    if (resume) ctx.info("nothing to resume: no migration failed part-way");
    return {};
  }
  if (!resume || failed.size() > 1) {
    std::string text;
    for (const auto& f : failed)
      text += (text.empty() ? "" : "\n") + describe_failed_migration(ctx, f);
    throw database_error(text);
  }
  const auto& f = failed.front();
  const auto& graph = ctx.graph();
  std::string dir = p.dir == direction::upgrade ? "upgrade" : "downgrade";
  if (f.direction != dir)
    throw usage_error("revision '" + f.revision + "' failed part-way through its " + f.direction +
                      ": resume it with '" + ctx.config().name + " " + f.direction +
                      " --resume', not with " + dir);
  node_id id = graph.find(f.revision);
  int first = resume_point(ctx, f);
  auto it = std::find(p.steps.begin(), p.steps.end(), id);
  if (it == p.steps.end())
    throw usage_error("revision '" + f.revision + "' failed part-way through its " + f.direction +
                      ", and this " + dir +
                      "'s target does not include it; resume with a target "
                      "that does, e.g. '" +
                      ctx.config().name + " " + dir + " --resume " + f.revision + "'");
  // Its prerequisites were in place when it started, and the version rows have
  // not moved since (nothing runs while a migration is failed).
  p.steps.erase(it);
  p.steps.insert(p.steps.begin(), id);
  ctx.info("resuming revision '" + f.revision + "' at statement " + std::to_string(first) +
           (first == 2  ? std::string(" (statement 1 already ran and is unchanged)")
            : first > 2 ? " (statements 1 to " + std::to_string(first - 1) +
                              " already ran and are unchanged)"
                        : std::string()));
  return {id, first};
}

}  // namespace migration_tools::engine
