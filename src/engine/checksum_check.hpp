// Applied migrations whose file changed since they were applied: `upgrade`
// refuses to run, `check` reports them, `repair` records the new checksums.
#pragma once

#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "runner_context.hpp"

namespace migration_tools::engine {

struct changed_migration {
  node_id id;
  recorded_checksum recorded;  // the latest upgrade, stamp or repair row
  std::string current;         // the checksum of the runner's embedded file
};

// The applied revisions of `state` whose latest recorded checksum differs
// from that of their embedded file. A revision without a recorded checksum
// (an ancestor of a stamped revision, say) has nothing to compare.
std::vector<changed_migration> changed_migrations(runner_context& ctx, pqxx::transaction_base& tx,
                                                  const applied_state& state);

// The applied revisions whose latest row holds the textual checksum of their
// unchanged file, where they now have a checksum of meaning: what `repair`
// moves to the new kind.
std::vector<node_id> textual_checksum_migrations(runner_context& ctx, pqxx::transaction_base& tx,
                                                 const applied_state& state);

// `file:line: error: revision 'r' was applied on ... an applied migration was edited ...`
std::vector<diagnostic> describe_changed(const runner_context& ctx,
                                         const std::vector<changed_migration>& changed);

// Throws migration_file_error (exit code 2) naming each changed applied
// migration of `state`. Reads nothing when there are no bookkeeping tables.
void refuse_changed_migrations(runner_context& ctx, const applied_state& state);

// `repair`: under the migration lock, records the current checksum of each
// applied migration whose file changed (a history row of direction 'repair'),
// and returns them; also moves rows of the textual kind to checksums of
// meaning.
// `converted` (when given) is told which rows moved.
std::vector<changed_migration> repair_changed_migrations(runner_context& ctx,
                                                         std::vector<node_id>* converted = nullptr);

// The first 12 hex digits of a checksum, as shown in messages.
std::string short_checksum(const std::string& checksum);

}  // namespace migration_tools::engine
