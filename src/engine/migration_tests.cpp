// upgrade, stairway and data: the migration tests that run migrations on a
// scratch database, step by step, as `upgrade` and `downgrade` run them.
#include "migration_tests.hpp"

#include <algorithm>
#include <filesystem>
#include <map>

#include "migration_run.hpp"
#include "migration_tools/core/file_io.hpp"
#include "migration_tools/core/sql_splitter.hpp"
#include "migration_tools/core/suggestion.hpp"
#include "migration_tools/core/text.hpp"
#include "migration_tools/postgres/bookkeeping_sql.hpp"
#include "migration_tools/postgres/catalog_inspector.hpp"
#include "migration_tools/postgres/change_capture.hpp"
#include "migration_tools/postgres/errors.hpp"
#include "migration_tools/postgres/scratch_database.hpp"
#include "migration_tools/postgres/step_executor.hpp"
#include "migration_tools/schema/diff.hpp"

namespace migration_tools::engine {

namespace {

using clock_type = std::chrono::steady_clock;

std::chrono::milliseconds since(clock_type::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(clock_type::now() - start);
}

// A test's own database, migrated one step at a time under the migration
// lock, with the runner's bookkeeping.
class test_database {
 public:
  // An empty database of its own on the server at `server_url`, dropped
  // with it.
  test_database(runner_context& outer, const std::string& server_url)
      : scratch_(server_url),
        inner_(outer.config(), outer.catalog(), quiet_options(outer, scratch_.url())),
        graph_(inner_.graph()) {
    lock_ = inner_.lock_for_changes();
    executor_.emplace(inner_.connection(), inner_.books());
    executor_->set_timeouts(inner_.migration_timeouts());
    executor_->set_session_defaults(inner_.session_defaults());
    state_.applied.assign(graph_.size(), 0);
  }

  const revision_graph& graph() const { return graph_; }
  const applied_state& state() const { return state_; }
  pqxx::connection& connection() { return inner_.connection(); }

  // Plain upgrade to `target` (the start of a range), as `upgrade` runs it.
  void upgrade_to(const std::string& target) {
    lock_.reset();
    run_migrations(inner_, target, direction::upgrade, false, nullptr);
    lock_ = inner_.lock_for_changes();
    state_ = inner_.current_state();
  }

  // Applies the revisions up to `range.from` as `upgrade` applies them (the
  // test does not count them), and returns those the test goes through, in
  // the order they run.
  std::vector<node_id> start(const test_range& range) {
    if (!range.from.empty() && range.from != "base") upgrade_to(range.from);
    return plan_upgrade(graph_, state_, range.to.empty() ? "heads" : range.to).steps;
  }

  // One step; throws migration_failed (`file:line: error: ...`).
  void run(node_id id, direction dir) {
    if (auto blocker = step_blocker(graph_, id, dir))
      throw migration_failed(format_diagnostic(*blocker));
    auto change = advance(graph_, state_, id, dir);
    executor_->run(graph_.at(id), dir, change, inner_.checksum(id));
  }

  // A transactional step run and rolled back, `inside` called before the
  // rollback (step_executor::run_and_roll_back).
  void try_step(node_id id, direction dir,
                const std::function<void(pqxx::transaction_base&)>& inside) {
    if (auto blocker = step_blocker(graph_, id, dir))
      throw migration_failed(format_diagnostic(*blocker));
    executor_->run_and_roll_back(graph_.at(id), dir, inside);
  }

  schema::schema_model inspect() { return inspect_catalog(inner_.connection(), ignored()); }
  schema::schema_model inspect(pqxx::transaction_base& tx) {
    return inspect_catalog(tx, ignored());
  }

 private:
  inspection_options ignored() const {
    const auto& c = inner_.config();
    bookkeeping_names names{c.schema, c.version_table};
    return {{{c.schema, names.version_table},
             {c.schema, names.history_table()},
             {c.schema, names.progress_table()}},
            c.schema};
  }

 public:
 private:
  static global_options quiet_options(const runner_context& outer, const std::string& url) {
    global_options o = outer.options();
    o.url = url;
    o.url_origin = "the test's scratch database";
    o.quiet = true;
    // The migrations' NOTICEs are not the test's news; -v shows them.
    o.server_notices = outer.options().verbose;
    o.command = "test";
    o.connect_early = false;
    o.log = nullptr;
    return o;
  }

  scratch_database scratch_;
  runner_context inner_;
  const revision_graph& graph_;
  std::unique_ptr<advisory_lock> lock_;
  std::optional<step_executor> executor_;
  applied_state state_;
};

void failed(test_result& r, std::string problem) {
  r.outcome = test_outcome::failed;
  r.problems.push_back(std::move(problem));
}

std::string where(const migration& m, const sql_section& section) {
  int line = section.present ? std::max(1, section.first_line - 1) : m.line_of("revision");
  return m.path + ":" + std::to_string(line);
}

// The changes from `expected` to `found`, one line each.
std::string describe_difference(const schema::schema_model& expected,
                                const schema::schema_model& found) {
  auto d = schema::diff_schemas(expected, found);
  std::string out;
  for (const auto& line : d.detected) out += "\n  " + escape_control_characters(line);
  for (const auto& line : d.warnings) out += "\n  " + escape_control_characters(line);
  return out;
}

bool differs(const schema::schema_model& a, const schema::schema_model& b) {
  return !schema::diff_schemas(a, b).empty();
}

// A migration that cannot be downgraded ends the stairway.
bool irreversible(const revision_graph& graph, node_id id) {
  return step_blocker(graph, id, direction::downgrade).has_value();
}

}  // namespace

test_result test_upgrade(runner_context& ctx, const std::string& server_url,
                         const test_range& range) {
  test_result r;
  r.name = "upgrade";
  auto started = clock_type::now();
  test_database db(ctx, server_url);
  auto steps = db.start(range);
  r.total = static_cast<int>(steps.size());
  for (node_id id : steps) {
    try {
      db.run(id, direction::upgrade);
    } catch (const migration_failed& e) {
      failed(r, e.what());
      break;
    }
    ++r.steps;
    ++r.covered;
  }
  r.duration = since(started);
  return r;
}

namespace {

// A unit's description in a map of them; "absent" when it has none.
std::string described(const std::map<std::string, std::string>& units, const std::string& unit) {
  auto it = units.find(unit);
  return it == units.end() ? "absent" : it->second;
}

void remember(std::map<std::string, std::string>& units, const touched_unit& t) {
  if (t.description == "absent")
    units.erase(t.unit);
  else
    units[t.unit] = t.description;
}

// The schema after the first `count` of `steps`, on a database of its own:
// the state before a revision, for the comparison of whole catalogs.
schema::schema_model model_after(runner_context& ctx, const std::string& server_url,
                                 const test_range& range, const std::vector<node_id>& steps,
                                 size_t count, bool capture) {
  test_database db(ctx, server_url);
  if (capture) install_change_capture(db.connection());
  db.start(range);
  for (size_t i = 0; i < count; ++i) db.run(steps[i], direction::upgrade);
  return db.inspect();
}

}  // namespace

test_result test_stairway(runner_context& ctx, const std::string& server_url,
                          const test_range& range) {
  test_result r;
  r.name = "stairway";
  auto started = clock_type::now();
  test_database db(ctx, server_url);
  // With event triggers (a superuser), each revision costs what it touches;
  // without, two inspections of the whole catalog.
  const bool capture = can_capture_changes(db.connection());
  if (capture) install_change_capture(db.connection());
  auto steps = db.start(range);
  r.total = static_cast<int>(steps.size());
  const auto& graph = db.graph();
  auto fail = [&r](std::string message) { failed(r, std::move(message)); };
  // The state before the next revision: every unit described (capture), or
  // the whole model.
  std::map<std::string, std::string> units;
  schema::schema_model before;
  if (capture)
    units = describe_all_units(db.connection());
  else
    before = db.inspect();
  for (size_t i = 0; i < steps.size(); ++i) {
    node_id id = steps[i];
    const migration& m = graph.at(id);
    const std::string rev = "'" + m.revision + "'";
    try {
      db.run(id, direction::upgrade);
    } catch (const migration_failed& e) {
      fail(std::string(e.what()) + "\n  (the upgrade of " + rev + ", step " +
           std::to_string(r.covered + 1) + " of the stairway)");
      break;
    }
    ++r.steps;
    // What the upgrade touched, each unit as it was before it.
    std::map<std::string, std::string> previous;
    bool unknown = false;
    if (capture) {
      pqxx::nontransaction tx(db.connection());
      for (const auto& t : take_touched_units(tx)) {
        if (t.unknown) {
          unknown = true;
          continue;
        }
        previous.emplace(t.unit, described(units, t.unit));
        remember(units, t);
      }
    }
    if (irreversible(graph, id)) {
      r.outcome = test_outcome::skipped;
      r.problems.push_back("the stairway stops at " + rev + " (" + where(m, m.downgrade) +
                           "): it cannot be downgraded (" +
                           (m.kind == migration_kind::cpp ? "no MIGRATION_DOWNGRADE body"
                                                          : "no '-- migrate:downgrade' section") +
                           "); " + std::to_string(r.covered) + " of " + std::to_string(r.total) +
                           " revisions were round-tripped before it");
      break;
    }
    schema::schema_model after;
    if (!capture) after = db.inspect();
    const bool transactional = m.kind == migration_kind::cpp || m.transactional;
    // After the downgrade: what differs from the schema before the upgrade
    // ("" when nothing does).
    std::string difference;
    // `touched`: the units the downgrade touched; `back_model`: the whole
    // schema after it.
    auto compare = [&](const std::vector<touched_unit>& touched,
                       const std::function<schema::schema_model()>& back_model) {
      if (!capture) {
        ++r.whole_catalog_comparisons;
        auto back = back_model();
        if (differs(before, back)) difference = describe_difference(before, back);
        return;
      }
      bool suspect = unknown;
      std::map<std::string, std::string> back;
      for (const auto& t : touched) {
        if (t.unknown)
          suspect = true;
        else
          back[t.unit] = t.description;
      }
      auto check = [&](const std::string& unit) {
        auto was = previous.count(unit) ? previous[unit] : described(units, unit);
        auto is = back.count(unit) ? back[unit] : described(units, unit);
        if (was != is) suspect = true;
      };
      for (const auto& [unit, _] : previous) check(unit);
      for (const auto& [unit, _] : back) check(unit);
      if (!suspect) return;
      ++r.whole_catalog_comparisons;
      // The catalog decides, as models: the schema before the upgrade (made
      // again on a database of its own) and the one after the downgrade.
      auto expected = model_after(ctx, server_url, range, steps, i, true);
      auto found = back_model();
      if (differs(expected, found)) difference = describe_difference(expected, found);
    };
    try {
      if (transactional) {
        // Seen inside its transaction, then rolled back: the upgrade stays.
        db.try_step(id, direction::downgrade, [&](pqxx::transaction_base& tx) {
          compare(capture ? take_touched_units(tx) : std::vector<touched_unit>{},
                  [&] { return db.inspect(tx); });
        });
      } else {
        db.run(id, direction::downgrade);
        std::vector<touched_unit> touched;
        if (capture) {
          pqxx::nontransaction tx(db.connection());
          touched = take_touched_units(tx);
        }
        compare(touched, [&] { return db.inspect(); });
      }
    } catch (const migration_failed& e) {
      fail(std::string(e.what()) + "\n  (the downgrade of " + rev +
           ", right after its upgrade succeeded)");
      break;
    }
    ++r.steps;
    if (!difference.empty()) {
      fail(where(m, m.downgrade) + ": error: the downgrade of " + rev +
           " does not undo its upgrade: from the schema before the upgrade to the one after the "
           "downgrade:" +
           difference);
      break;
    }
    if (!transactional) {
      try {
        db.run(id, direction::upgrade);
      } catch (const migration_failed& e) {
        fail(std::string(e.what()) + "\n  (the upgrade of " + rev + " again, after its downgrade)");
        break;
      }
      ++r.steps;
      if (capture) {
        pqxx::nontransaction tx(db.connection());
        for (const auto& t : take_touched_units(tx))
          if (!t.unknown) remember(units, t);
      }
    }
    ++r.covered;
    if (!capture) before = std::move(after);
  }
  r.duration = since(started);
  return r;
}

data_files read_data_directory(const revision_graph& graph, const std::string& directory) {
  namespace fs = std::filesystem;
  data_files out;
  out.directory = directory;
  std::error_code ec;
  if (!fs::is_directory(directory, ec))
    throw usage_error("the data directory " + directory + " does not exist (--data)");
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(directory)) {
    if (!entry.is_regular_file()) continue;
    names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  std::vector<std::string> revisions;
  for (node_id id = 0; id < static_cast<node_id>(graph.size()); ++id)
    revisions.push_back(graph.revision(id));
  for (const auto& name : names) {
    std::string path = directory + "/" + name;
    bool seed = ends_with(name, ".seed.sql"), check = ends_with(name, ".check.sql");
    if (!seed && !check) {
      if (ends_with(name, ".sql"))
        throw usage_error(path + ": a data file is named <revision>.seed.sql or " +
                          "<revision>.check.sql");
      continue;  // a README, an editor's backup
    }
    std::string rev = name.substr(0, name.size() - (seed ? 9 : 10));
    if (graph.find(rev) < 0) {
      std::string guess = nearest_word(rev, revisions);
      throw usage_error(path + ": no revision '" + rev + "' in the migrations" +
                        (guess.empty() ? "" : "; did you mean '" + guess + "'?"));
    }
    (seed ? out.seeds : out.checks).emplace_back(rev, path);
  }
  return out;
}

namespace {

std::string file_of(const std::vector<std::pair<std::string, std::string>>& files,
                    const std::string& revision) {
  for (const auto& [rev, path] : files)
    if (rev == revision) return path;
  return "";
}

// A few rows, as `column=value` lists, for a failed check.
std::string describe_rows(const pqxx::result& rows) {
  std::string out;
  const pqxx::row_size_type shown = 5;
  for (pqxx::row_size_type i = 0; i < std::min<pqxx::row_size_type>(rows.size(), shown); ++i) {
    out += "\n    ";
    for (pqxx::row_size_type c = 0; c < rows.columns(); ++c) {
      out += (c ? ", " : "") + std::string(rows.column_name(c)) + "=" +
             (rows[i][c].is_null() ? "NULL" : escape_control_characters(rows[i][c].c_str()));
    }
  }
  if (rows.size() > shown) out += "\n    ... " + std::to_string(rows.size() - shown) + " more";
  return out;
}

// Runs a data file's statements: a seed's in one committed transaction, a
// check's each in its own rolled-back one (a check changes nothing). Returns
// the problems, `file:line: error: ...`.
std::vector<std::string> run_data_file(pqxx::connection& conn, const std::string& path,
                                       bool is_check, const std::string& when) {
  std::vector<std::string> problems;
  std::string text = read_file(path);
  auto statements = split_sql(text);
  auto at = [&](const sql_statement& s) {
    return path + ":" + std::to_string(s.line) + ": error: ";
  };
  if (!is_check) {
    pqxx::work tx(conn);
    for (const auto& s : statements) {
      try {
        tx.exec(std::string(s.text));
      } catch (const pqxx::sql_error& e) {
        problems.push_back(at(s) + "the seed failed " + when + ": " + postgres_message(e.what()) +
                           (e.sqlstate().empty() ? "" : " (SQLSTATE " + e.sqlstate() + ")"));
        return problems;
      }
    }
    tx.commit();
    return problems;
  }
  for (const auto& s : statements) {
    pqxx::work tx(conn);
    try {
      auto rows = tx.exec(std::string(s.text));
      if (!rows.empty())
        problems.push_back(at(s) + "the check failed " + when + ": it returned " +
                           std::to_string(rows.size()) + " row" + (rows.size() == 1 ? "" : "s") +
                           " (a check returns none)" + describe_rows(rows));
    } catch (const pqxx::sql_error& e) {
      problems.push_back(at(s) + "the check failed " + when + ": " + postgres_message(e.what()) +
                         (e.sqlstate().empty() ? "" : " (SQLSTATE " + e.sqlstate() + ")"));
    }
    tx.abort();
  }
  return problems;
}

}  // namespace

test_result test_data(runner_context& ctx, const std::string& server_url, const data_files& files,
                      const test_range& range) {
  test_result r;
  r.name = "data";
  auto started = clock_type::now();
  test_database db(ctx, server_url);
  auto steps = db.start(range);
  r.total = static_cast<int>(steps.size());
  const auto& graph = db.graph();
  auto fail = [&r](std::string message) { failed(r, std::move(message)); };
  auto checks_at = [&](const std::string& revision, const std::string& when) {
    std::string check = file_of(files.checks, revision);
    if (check.empty()) return;
    for (auto& p : run_data_file(db.connection(), check, true, when)) fail(std::move(p));
  };
  // Up: each revision's seed, then its checks.
  for (node_id id : steps) {
    const std::string& rev = graph.revision(id);
    try {
      db.run(id, direction::upgrade);
    } catch (const migration_failed& e) {
      fail(std::string(e.what()) + "\n  (the upgrade of '" + rev + "', with the data seeded)");
      break;
    }
    ++r.steps;
    if (std::string seed = file_of(files.seeds, rev); !seed.empty())
      for (auto& p : run_data_file(db.connection(), seed, false, "at '" + rev + "'"))
        fail(std::move(p));
    if (r.outcome == test_outcome::failed) break;
    checks_at(rev, "after the upgrade to '" + rev + "'");
    if (r.outcome == test_outcome::failed) break;
    ++r.covered;
  }
  if (r.outcome == test_outcome::failed) {
    r.duration = since(started);
    return r;
  }
  // Down: after each downgrade, the checks of the revisions it went back to.
  for (auto it = steps.rbegin(); it != steps.rend(); ++it) {
    node_id id = *it;
    const std::string& rev = graph.revision(id);
    if (irreversible(graph, id)) {
      // The upgrade path was proven; the way down ends here, as the
      // stairway does.
      r.outcome = test_outcome::skipped;
      r.problems.push_back("the downgrade path stops at '" + rev + "' (" + graph.at(id).path +
                           "): it cannot be downgraded; the checks ran on the way up");
      break;
    }
    try {
      db.run(id, direction::downgrade);
    } catch (const migration_failed& e) {
      fail(std::string(e.what()) + "\n  (the downgrade of '" + rev + "', with the data seeded)");
      break;
    }
    ++r.steps;
    for (node_id parent : graph.parents(id)) {
      const auto& heads = db.state().heads;
      if (std::find(heads.begin(), heads.end(), parent) != heads.end())
        checks_at(graph.revision(parent),
                  "after the downgrade of '" + rev + "' to '" + graph.revision(parent) + "'");
    }
    if (r.outcome == test_outcome::failed) break;
  }
  r.duration = since(started);
  return r;
}

}  // namespace migration_tools::engine
