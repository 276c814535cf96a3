// check: the graph has one head, the database is at it, no applied migration
// was edited, and the declared schema holds nothing no migration makes.
// repair: record the checksums of the edited ones.
#include <iostream>
#include <pqxx/pqxx>

#include "../engine/checksum_check.hpp"
#include "../engine/failed_state.hpp"
#include "commands.hpp"
#include "migration_tools/core/text.hpp"
#include "migration_tools/postgres/errors.hpp"

namespace migration_tools::cli {

std::vector<std::string> check_problems(runner_context& ctx, applied_state& state) {
  const auto& g = ctx.graph();
  std::vector<std::string> problems;
  auto problem = [&](const std::string& text) { problems.push_back(text); };
  auto heads = g.real_heads();
  for (const auto& p : graph_problems(ctx)) problem(p);
  try {
    state = ctx.current_state();
  } catch (const version_table_damaged& e) {
    problem(e.what());
    return problems;
  } catch (const usage_error& e) {
    // The database is at a revision this runner does not know: a finding of
    // check (exit 3), not bad input.
    problem(e.what());
    return problems;
  }
  for (const auto& f : read_failed_migrations(ctx))
    problem("a transactional-false migration failed part-way:\n" +
            describe_failed_migration(ctx, f));
  auto mask = g.closure_down(heads);
  std::vector<node_id> pending;
  for (node_id id : g.topological_order())
    if (mask[static_cast<size_t>(id)] && !state.applied[static_cast<size_t>(id)])
      pending.push_back(id);
  if (!pending.empty()) {
    std::string list;
    for (node_id id : pending) list += "\n  " + g.revision(id) + "  " + g.at(id).path;
    problem("the database is behind: it is at " + describe_revisions(g, state.heads) + ", and " +
            std::to_string(pending.size()) + " migration" +
            (pending.size() == 1 ? " is" : "s are") + " not applied:" + list);
  }
  if (ctx.books().exists()) {
    pqxx::read_transaction tx(ctx.connection());
    auto changed = changed_migrations(ctx, tx, state);
    if (!changed.empty()) {
      std::string list;
      for (const auto& d : describe_changed(ctx, changed)) list += "\n" + format_diagnostic(d);
      problem(std::to_string(changed.size()) + " applied migration" +
              (changed.size() == 1 ? " was" : "s were") + " edited since applied:" + list);
    }
  }
  // alembic check: the declared schema has changes no migration makes.
  auto findings = schema_findings_of(ctx);
  if (const auto& changes = findings.undeclared; !changes.empty()) {
    std::string list;
    for (const auto& c : changes) list += "\n  " + escape_control_characters(c);
    problem("the declared schema (" + std::string(ctx.config().schema_dir) +
            ") has changes no migration makes:" + list + "\n  write the migration with: " +
            build_command(ctx.config(), std::string(ctx.config().name) + "_autogenerate") +
            " (MIGRATE_MESSAGE=...)");
  }
  // The committed schema dump (generated/schema.sql), as Rails checks
  // structure.sql: a review sees every schema change as a diff of one file.
  if (!findings.stale_dump.empty()) problem(findings.stale_dump);
  return problems;
}

int check_command(runner_context& ctx) {
  applied_state state;
  auto problems = check_problems(ctx, state);
  for (const auto& p : problems) std::cout << ctx.style("problem:", "1;31") << " " << p << "\n";
  if (!problems.empty()) return check_failed;
  std::cout << "ok: the graph is valid and the database is at "
            << describe_revisions(ctx.graph(), state.heads) << "\n";
  return ok;
}

int repair_command(runner_context& ctx) {
  const auto& g = ctx.graph();
  std::vector<node_id> converted;
  auto changed = repair_changed_migrations(ctx, &converted);
  // Rows written before checksums of meaning, moved to them (the files are
  // unchanged): from now on an edit of layout or comments is no edit.
  if (!converted.empty())
    ctx.info("recorded checksums of meaning for " + std::to_string(converted.size()) +
             " applied migration" + (converted.size() == 1 ? "" : "s") +
             " whose rows held the textual checksum (their files are unchanged)");
  if (changed.empty()) {
    std::cout << "nothing needed repair: the file of every applied migration has its recorded "
                 "checksum\n";
    return ok;
  }
  for (const auto& c : changed)
    std::cout << "repaired " << g.revision(c.id) << " (" << g.at(c.id).path
              << "): " << short_checksum(c.recorded.checksum) << " -> " << short_checksum(c.current)
              << "\n";
  ctx.info("recorded the current checksum" + std::string(changed.size() == 1 ? "" : "s") + " of " +
           std::to_string(changed.size()) + " edited applied migration" +
           (changed.size() == 1 ? "" : "s"));
  return ok;
}

}  // namespace migration_tools::cli
