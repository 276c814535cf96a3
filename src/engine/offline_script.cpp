// Offline mode: the SQL script of an upgrade or downgrade, for a DBA to review
// and run with psql. The bookkeeping statements are the ones the online
// runner executes (bookkeeping_sql), with their parameters inlined as literals.
#include "offline_script.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>

#include "concurrent_statements.hpp"
#include "migration_tools/core/revision_resolver.hpp"
#include "migration_tools/core/section_statements.hpp"
#include "migration_tools/core/text.hpp"
#include "migration_tools/postgres/advisory_lock.hpp"
#include "migration_tools/postgres/step_sql.hpp"

namespace migration_tools::engine {

namespace {

namespace sql = bookkeeping_sql;

// DO $tag$ [DECLARE declarations] BEGIN body END $tag$; appended to `out`,
// with a tag that neither part contains.
void append_do_block(std::string& out, std::string_view declarations, std::string_view body) {
  // Neither part holds a line break in the tag, so no tag can straddle them.
  std::string tag = "$migrate$";
  for (int i = 1;
       declarations.find(tag) != std::string_view::npos || body.find(tag) != std::string_view::npos;
       ++i)
    tag = "$migrate_" + std::to_string(i) + "$";
  out += "DO ";
  out += tag;
  out += '\n';
  if (!declarations.empty()) {
    out += "DECLARE\n";
    out += declarations;
  }
  out += "BEGIN\n";
  out += body;
  out += "END\n";
  out += tag;
  out += ";\n";
}

std::string do_block(const std::string& declarations, const std::string& body) {
  std::string out;
  append_do_block(out, declarations, body);
  return out;
}

// RAISE's format string: '%' stands for an argument, "%%" for itself.
std::string escape_format(const std::string& text) {
  if (text.find('%') == std::string::npos) return text;
  std::string out;
  for (char c : text) {
    out += c;
    if (c == '%') out += '%';
  }
  return out;
}

// Text from a migration or the configuration inside one of the script's own
// `--` comments: psql ends a comment at a line feed or a carriage return, so
// every control character is escaped (escape_control_characters) and
// nothing can end it.
// The scanner refuses these at configure time (check_migration_sql); a
// runner built by other means must not write them into a script either: a
// comment or quote left open would swallow the script's own lines, and a
// backslash would be a psql meta-command.
void check_offline_safe(const migration& m, const sql_section& section,
                        std::vector<diagnostic>& ds) {
  for (const auto& p : section_lexical_problems(section)) {
    int line = section.first_line + count_newlines(section.text, p.offset);
    ds.push_back({m.path, line, severity::error, describe_lexical_problem(p.what)});
  }
  for (size_t i = section.text.find('\r'); i != std::string::npos;
       i = section.text.find('\r', i + 1))
    ds.push_back({m.path, section.first_line + count_newlines(section.text, i), severity::error,
                  "a carriage return inside a line: psql ends a comment there, so the offline "
                  "script would run what follows it"});
}

void append_revisions(std::string& out, const revision_graph& graph,
                      const std::vector<node_id>& ids) {
  if (ids.empty()) out += "<base>";
  for (size_t i = 0; i < ids.size(); ++i) {
    if (i > 0) out += ", ";
    out += graph.revision(ids[i]);
  }
}

// The version rows a state has, sorted and joined as the guard compares them.
std::string version_rows_text(const revision_graph& graph, const applied_state& state) {
  std::vector<std::string> rows;
  for (node_id id : state.heads) rows.push_back(graph.revision(id));
  std::sort(rows.begin(), rows.end());
  std::string out;
  for (const auto& r : rows) out += (out.empty() ? "" : ", ") + r;
  return out;
}

std::string trimmed(const std::string& text) {
  auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return "";
  auto last = text.find_last_not_of(" \t\r\n");
  return text.substr(first, last - first + 1);
}

// A migration's section as written, with a terminating ';' when its last
// statement has none, so that psql does not run it into what follows.
std::string section_sql(const sql_section& section) {
  auto statements = section_statements(section);
  std::string text = trimmed(section.text);
  if (text.empty()) return "";
  if (!statements.empty()) {
    const auto& last = statements.back();
    if (last.offset + last.text.size() >= section.text.size()) text += "\n;";
  }
  return text + "\n";
}

// The statements of a `transactional false` section, each between the
// progress rows the runner writes for it (bookkeeping_sql::progress_*).
// `lock_set`: the session's SET lock_timeout, which a CONCURRENTLY index
// statement goes without when `exempt_concurrent` (as online).
void append_tracked_statements(std::string& out, const bookkeeping_names& names, const migration& m,
                               const sql_section& section, bool up, const std::string& lock_set,
                               bool exempt_concurrent) {
  auto statements = section_statements(section);
  for (size_t i = 0; i < statements.size(); ++i) {
    const auto& statement = statements[i];
    auto progress =
        progress_of(m, up ? direction::upgrade : direction::downgrade, section, statement, i);
    sql::append_inlined(out, sql::progress_started(names, progress));
    out += ";\n";
    bool exempt = exempt_concurrent && !lock_set.empty() && !m.lock_timeout_ms &&
                  waits_without_blocking(statement);
    if (exempt) out += "SET lock_timeout = 0;\n";
    // On a line of its own: the statement may end in a line comment.
    out += statement.text;
    out += "\n;\n";
    if (exempt) out += lock_set + ";\n";
    sql::append_inlined(out, sql::progress_finished(names, progress));
    out += ";\n";
  }
}

// Fails the script unless the database is where the script was planned from,
// as `upgrade` checks it: the version rows are exactly those of FROM (else
// it would record a lie), no `transactional false` migration failed
// part-way (its progress rows are there), and every applied revision's
// recorded checksum is the one of the file the script was written from.
std::string state_guard(const bookkeeping_names& names, const std::string& expected,
                        const std::vector<std::pair<std::string, std::string>>& applied) {
  std::string table = sql::version_table(names);
  std::string progress = sql::progress_table(names);
  std::string history = sql::history_table(names);
  std::string shown = expected.empty() ? "base (no rows)" : expected;
  std::string body =
      "  SELECT coalesce(pg_catalog.string_agg(version_num, ', ' ORDER BY version_num), '')\n"
      "    INTO found\n"
      "    FROM " +
      table +
      ";\n"
      "  IF found OPERATOR(pg_catalog.<>) " +
      sql::quote_literal(expected) +
      " THEN\n"
      "    RAISE EXCEPTION " +
      sql::quote_literal(
          escape_format("this script starts from " + shown + ", but " + table + " holds '") +
          "%'") +
      ", found;\n"
      "  END IF;\n"
      "  IF pg_catalog.to_regclass(" +
      sql::quote_literal(progress) +
      "::pg_catalog.text) IS NOT NULL THEN\n"
      "    EXECUTE " +
      sql::quote_literal("SELECT pg_catalog.count(*) FROM " + progress) +
      " INTO stuck;\n"
      "    IF stuck OPERATOR(pg_catalog.>) 0 THEN\n"
      "      RAISE EXCEPTION " +
      sql::quote_literal(escape_format(
          "a transactional-false migration failed part-way (" + progress +
          " holds its progress rows): the runner's 'current' says which; continue it with "
          "'upgrade --resume' or settle it with 'stamp' before running this script")) +
      ";\n"
      "    END IF;\n"
      "  END IF;\n";
  if (!applied.empty()) {
    std::string values;
    for (const auto& [revision, checksum] : applied) {
      values += values.empty() ? "(" : ", (";
      sql::append_quoted_literal(values, revision);
      values += ", ";
      sql::append_quoted_literal(values, checksum);
      values += ")";
    }
    body +=
        "  SELECT pg_catalog.string_agg(f.revision, ', ' ORDER BY f.revision) INTO edited\n"
        "    FROM (VALUES " +
        values +
        ") AS f(revision, checksum)\n"
        "    JOIN LATERAL (SELECT h.checksum FROM " +
        history +
        " h WHERE h.revision OPERATOR(pg_catalog.=) f.revision"
        " AND h.direction OPERATOR(pg_catalog.=) ANY ('{upgrade,stamp,repair}'::pg_catalog.text[])"
        " AND h.checksum IS NOT NULL"
        " ORDER BY h.id DESC LIMIT 1) last ON true\n"
        "    WHERE last.checksum OPERATOR(pg_catalog.<>) f.checksum;\n"
        "  IF edited IS NOT NULL THEN\n"
        "    RAISE EXCEPTION " +
        sql::quote_literal(
            "applied migrations were edited since they were applied: %; restore them, or "
            "record the edit with the runner's 'repair', then write the script again") +
        ", edited;\n"
        "  END IF;\n";
  }
  return do_block("  found text;\n  stuck bigint;\n  edited text;\n", body);
}

// A version row change, appended to `out`; one that must touch exactly one row
// fails the script otherwise. `table_format`: the version table's name escaped
// for RAISE; `body`: scratch space, reused from step to step.
void append_row_change(std::string& out, std::string& body, const std::string& table_format,
                       const sql::row_change& change) {
  if (!change.expect_one_row) {
    sql::append_inlined(out, change.sql);
    out += ";\n";
    return;
  }
  body.assign("  ");
  sql::append_inlined(body, change.sql);
  body +=
      ";\n  GET DIAGNOSTICS touched = ROW_COUNT;\n  IF touched OPERATOR(pg_catalog.<>) 1 THEN\n    "
      "RAISE EXCEPTION ";
  sql::append_quoted_literal(
      body, sql::unexpected_row_count(table_format, escape_format(change.what), "%"));
  body += ", touched;\n  END IF;\n";
  append_do_block(out, "  touched bigint;\n", body);
}

// Every step must be expressible as SQL; all problems are reported at once.
void check_steps(const revision_graph& graph, const plan& p) {
  std::vector<diagnostic> ds;
  for (node_id id : p.steps) {
    const auto& m = graph.at(id);
    if (m.kind == migration_kind::sql)
      check_offline_safe(m, p.dir == direction::upgrade ? m.upgrade : m.downgrade, ds);
    if (p.dir == direction::upgrade && has_unfilled_upgrade(graph, id))
      ds.push_back({m.path, std::max(1, m.upgrade.first_line - 1), severity::error,
                    unfilled_upgrade_message(m)});
    if (m.kind == migration_kind::cpp)
      ds.push_back({m.path, m.line_of("revision"), severity::error,
                    "revision '" + m.revision +
                        "' is a C++ migration, which needs a database connection, so --sql "
                        "cannot write it into a script; choose a range that leaves it out"});
    else if (p.dir == direction::downgrade && !m.downgrade.present)
      ds.push_back({m.path, m.line_of("revision"), severity::error,
                    "revision '" + m.revision +
                        "' has no '-- migrate:downgrade' section, so it cannot be downgraded"});
  }
  if (!ds.empty()) throw migration_file_error(std::move(ds));
}

struct parsed_range {
  std::string from, to;
};

parsed_range split_range(const std::string& range, direction dir) {
  auto colon = range.find(':');
  if (dir == direction::downgrade) {
    if (colon == std::string::npos || colon == 0 || colon + 1 == range.size())
      throw usage_error(
          "downgrade --sql needs an explicit FROM:TO range, e.g. 'downgrade head:base --sql': "
          "without a database there is nothing to ask where to start" +
          (range.empty() ? std::string() : " (got '" + range + "')"));
    return {range.substr(0, colon), range.substr(colon + 1)};
  }
  if (colon == std::string::npos) return {"base", range.empty() ? "head" : range};
  parsed_range r{range.substr(0, colon), range.substr(colon + 1)};
  if (r.from.empty()) r.from = "base";
  if (r.to.empty()) r.to = "head";
  return r;
}

// Where the script goes: stdout, or a temporary file beside `output` that
// becomes `output` only when everything was written.
class script_destination {
 public:
  explicit script_destination(std::string output) : output_(std::move(output)) {
    if (output_.empty()) return;
    temporary_ = output_ + ".tmp-" + std::to_string(::getpid());
    file_.open(temporary_, std::ios::binary | std::ios::trunc);
    if (!file_) fail("cannot create '" + temporary_ + "'");
  }
  ~script_destination() {
    if (!temporary_.empty() && !done_) std::remove(temporary_.c_str());
  }
  script_destination(const script_destination&) = delete;
  script_destination& operator=(const script_destination&) = delete;

  std::ostream& stream() { return output_.empty() ? std::cout : file_; }

  // Checks every write, then puts the file in place.
  void finish() {
    if (output_.empty()) {
      std::cout.flush();
      if (!std::cout || std::fflush(stdout) != 0 || std::ferror(stdout))
        fail("cannot write the script to standard output");
      return;
    }
    file_.flush();
    file_.close();
    if (!file_) fail("cannot write '" + temporary_ + "'");
    int fd = ::open(temporary_.c_str(), O_RDONLY);
    if (fd < 0 || ::fsync(fd) != 0) {
      if (fd >= 0) ::close(fd);
      fail("cannot write '" + temporary_ + "' to disk");
    }
    ::close(fd);
    if (std::rename(temporary_.c_str(), output_.c_str()) != 0)
      fail("cannot rename '" + temporary_ + "' to '" + output_ + "'");
    done_ = true;
  }

 private:
  [[noreturn]] void fail(const std::string& what) {
    int saved = errno;
    throw error(what + (saved ? std::string(": ") + std::strerror(saved) : std::string()) +
                "; no complete script was written");
  }

  std::string output_, temporary_;
  std::ofstream file_;
  bool done_ = false;
};

}  // namespace

offline_script_summary write_offline_script(runner_context& ctx, const std::string& range,
                                            direction dir, const std::string& output) {
  const auto& graph = ctx.graph();
  auto r = split_range(range, dir);
  // FROM is the state the script assumes: FROM and everything below it.
  applied_state from;
  {
    revision_resolver resolver(graph, {});
    auto ids = resolver.resolve(r.from);
    from.applied = graph.closure_down(ids);
    from.heads = graph.heads_of(from.applied);
  }
  plan p = dir == direction::upgrade ? plan_upgrade(graph, from, r.to)
                                     : plan_downgrade(graph, from, r.to);
  const char* verb = dir == direction::upgrade ? "upgrade" : "downgrade";
  script_destination destination(output);
  write_offline_script(
      {graph, bookkeeping_names{ctx.config().schema, ctx.config().version_table}, ctx.config().name,
       std::string(ctx.config().name) + " " + verb + " " + r.from + ":" + r.to + " --sql", from, p,
       [&](node_id id) { return ctx.checksum(id); }, ctx.migration_timeouts(),
       ctx.options().lock_timeout.empty()},
      destination.stream());
  destination.finish();

  applied_state to = from;
  for (node_id id : p.steps) advance(graph, to, id, dir);
  return {p.steps.size(), from.heads, to.heads};
}

std::string write_offline_script(const offline_script_input& in) {
  std::ostringstream out;
  write_offline_script(in, out);
  return out.str();
}

void write_offline_script(const offline_script_input& in, std::ostream& script) {
  const auto& graph = in.graph;
  check_steps(graph, in.steps);
  const bool up = in.steps.dir == direction::upgrade;
  const std::string version_table = sql::version_table(in.names);
  const std::string table_format = escape_format(version_table);

  applied_state state = in.from;
  std::string out, scratch;
  out += "-- " + std::string(up ? "Upgrade" : "Downgrade") + " script of '" +
         escape_control_characters(in.runner) +
         "' (MigrationTools), written by: " + escape_control_characters(in.command) + "\n";
  out += "-- Run it with: psql -v ON_ERROR_STOP=1 -f FILE\n";
  out += "-- Version table: " + escape_control_characters(version_table) + "\n";
  if (in.limits.lock_timeout_ms && *in.limits.lock_timeout_ms > 0)
    out += "-- Each migration waits at most " + std::to_string(*in.limits.lock_timeout_ms) +
           " ms for a lock (lock_timeout), so that it never queues the application's queries\n"
           "-- behind its own wait. psql cannot try again: when a migration fails with SQLSTATE\n"
           "-- 55P03, nothing of it stays; run the script again (the runner itself retries).\n";
  out += "\n";
  // As the runner pins it: literals mean the same whatever the database's
  // default says.
  out += "SET client_encoding = 'UTF8';\nSET standard_conforming_strings = on;\n\n";

  // The lock every runner takes; a script does not wait for it (a waiting
  // session would block a runner's CREATE INDEX CONCURRENTLY), it fails.
  std::string key = std::to_string(advisory_lock::key_for(version_table));
  out += "-- Take the migration lock, as the runner does\n";
  out += do_block("", "  IF NOT pg_catalog.pg_try_advisory_lock(" + key +
                          "::pg_catalog.int8) THEN\n"
                          "    RAISE EXCEPTION " +
                          sql::quote_literal(
                              escape_format("another runner holds the migration lock of " +
                                            version_table + "; run this script when it is done")) +
                          ";\n"
                          "  END IF;\n");
  out += "\n";

  // From base the script creates the bookkeeping tables; from elsewhere it
  // creates them too (each statement keeps what exists) when it has a
  // `transactional false` migration, whose progress table a database set up
  // by an older runner lacks.
  bool any_outside = std::any_of(in.steps.steps.begin(), in.steps.steps.end(),
                                 [&](node_id id) { return !graph.at(id).transactional; });
  if (state.heads.empty() || any_outside) {
    out += state.heads.empty() ? "-- Create the bookkeeping tables\nBEGIN;\n"
                               : "-- Create the bookkeeping tables that do not exist yet\nBEGIN;\n"
                                 "SET LOCAL client_min_messages = warning;\n";
    for (const auto& statement : sql::create_statements(in.names)) out += statement + ";\n";
    out += "COMMIT;\n\n";
  }
  out += "-- Check that the database is at " + describe_revisions(graph, state.heads) + "\n";
  std::vector<std::pair<std::string, std::string>> applied;
  for (node_id id : graph.topological_order())
    if (state.applied[static_cast<size_t>(id)])
      applied.emplace_back(graph.revision(id), in.checksum(id));
  out += state_guard(in.names, version_rows_text(graph, state), applied);

  for (node_id id : in.steps.steps) {
    const auto& m = graph.at(id);
    out += up ? "\n-- Running upgrade " : "\n-- Running downgrade ";
    if (up) {
      append_revisions(out, graph, graph.parents(id));
      out += " -> ";
      out += m.revision;
    } else {
      out += m.revision;
      out += " -> ";
      append_revisions(out, graph, graph.parents(id));
    }
    if (!m.message.empty()) {
      out += ": ";
      out += escape_control_characters(m.message);
    }
    out += "\n-- file: ";
    out += escape_control_characters(m.path);
    out += '\n';
    const sql_section& section = up ? m.upgrade : m.downgrade;
    if (!m.transactional) {
      // Statement by statement outside a transaction, as the runner does,
      // each between the progress rows the runner writes: a script stopped
      // by a failing statement leaves the failed state that the runner
      // reports and `--resume` continues from. The bookkeeping follows in a
      // transaction of its own.
      out +=
          "-- transactional false: these statements run outside a transaction, each with\n"
          "-- its progress row (see the runner's --resume)\n";
      auto sets = timeout_statements(m, in.limits, false);
      std::string lock_set;
      for (const auto& set : sets) {
        out += set + ";\n";
        if (set.rfind("SET lock_timeout", 0) == 0) lock_set = set;
      }
      append_tracked_statements(out, in.names, m, section, up, lock_set, in.default_lock_timeout);
      for (const auto& set : sets) out += "RESET " + set.substr(4, set.find(' ', 4) - 4) + ";\n";
      out += "BEGIN;\n";
      sql::append_inlined(out, sql::delete_progress_rows(in.names, m.revision));
      out += ";\n";
    } else {
      std::string body = section_sql(section);
      out += "BEGIN;\n";
      for (const auto& set : timeout_statements(m, in.limits, true)) out += set + ";\n";
      if (!body.empty()) out += "\n" + body + "\n";
    }
    for (const auto& change :
         sql::version_row_changes(in.names, advance(graph, state, id, in.steps.dir)))
      append_row_change(out, scratch, table_format, change);
    sql::append_inlined(out,
                        sql::insert_history_row(in.names, {m.revision, up ? "upgrade" : "downgrade",
                                                           in.checksum(id), m.path, ""}));
    out += ";\n";
    out += "COMMIT;\n";
    // Written in pieces of about 64 kB: a script of thousands of migrations
    // is never held whole in memory, nor written in thousands of calls.
    if (out.size() >= 64 * 1024) {
      script << out;
      out.clear();
    }
  }
  if (in.steps.steps.empty())
    out += "\n-- Nothing to do: " + describe_revisions(graph, state.heads) + " is already there\n";

  out += "\n-- The database is now at " + describe_revisions(graph, state.heads) + "\n";
  out += do_block("", "  PERFORM pg_catalog.pg_advisory_unlock(" + key + "::pg_catalog.int8);\n");
  script << out;
}

}  // namespace migration_tools::engine
