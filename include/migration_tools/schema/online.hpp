// The change written for a busy database, as a reviewer approves it: what
// would hold a long lock on a table that exists already is taken out of the
// migration's transaction into a second migration that runs statement by
// statement (`transactional false`):
// - a new index on an existing table is built there with CREATE INDEX
//   CONCURRENTLY (dropped with DROP INDEX CONCURRENTLY), which takes no lock
//   that stops writes; not a changed one (it may stand on columns the change
//   drops), nor a unique one on a table a foreign key references (the key
//   may need it in the change);
// - a foreign key or check added to an existing table is added NOT VALID in
//   the first migration (a short lock, no scan), and validated in the second
//   (VALIDATE CONSTRAINT: a lock that lets reads and writes go on).
// Pure logic on the schema model: no PostgreSQL.
#pragma once

#include <optional>

#include "migration_tools/schema/diff.hpp"
#include "migration_tools/schema/model.hpp"

namespace migration_tools::schema {

struct online_options {
  bool concurrent_indexes = true;  // --no-concurrent-indexes turns it off
  bool not_valid = true;           // --no-not-valid turns it off
};

struct online_split {
  // The schema between the two migrations: `to` without the indexes left to
  // the second, and with those constraints NOT VALID.
  schema_model intermediate;
  bool second_needed = false;
};

online_split split_for_online(const schema_model& from, const schema_model& to,
                              const online_options& options = {});

// Enum values added to an existing enum cannot be used in the transaction
// that adds them (PostgreSQL: unsafe use of new enum value). `from` with
// those values added, when `to` adds any, so that the additions go in a
// migration of their own before the rest; nullopt otherwise.
std::optional<schema_model> split_enum_additions(const schema_model& from, const schema_model& to);

// The second migration's two sections: diff(intermediate, to) with each
// index statement CONCURRENTLY, and its downgrade, the indexes it built
// dropped CONCURRENTLY (a validation needs no undoing).
schema_diff online_upgrade(const schema_model& intermediate, const schema_model& to);
schema_diff online_downgrade(const schema_model& to, const schema_model& intermediate);

}  // namespace migration_tools::schema
