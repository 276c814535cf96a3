// The lint's rules: id (squawk's where it has one), level, reason and the
// safe alternative. The checks themselves are in statement_checks.cpp.
#include <algorithm>

#include "migration_tools/core/lint.hpp"

namespace migration_tools {

const std::vector<lint_rule>& lint_rules() {
  static const std::vector<lint_rule> rules = {
      {"require-concurrent-index-creation", severity::warning,
       "blocks writes to the table until the index is built",
       "CREATE INDEX CONCURRENTLY, in a migration with '-- migrate:transactional false'"},
      {"require-concurrent-index-deletion", severity::warning,
       "takes an ACCESS EXCLUSIVE lock on the table while the index goes",
       "DROP INDEX CONCURRENTLY, in a migration with '-- migrate:transactional false'"},
      {"ban-concurrent-index-creation-in-transaction", severity::error,
       "PostgreSQL refuses CONCURRENTLY inside a transaction block, and each migration runs in one",
       "add '-- migrate:transactional false' to the header, with this statement in a "
       "migration of its own"},
      {"ban-reindex-without-concurrently", severity::warning,
       "REINDEX without CONCURRENTLY blocks writes (and reads through the index) while it runs",
       "REINDEX ... CONCURRENTLY, in a migration with '-- migrate:transactional false'"},
      {"adding-required-field", severity::warning,
       "a NOT NULL column without a default fails on a table that has rows",
       "add the column with a DEFAULT, or nullable, backfill it, then SET NOT NULL"},
      {"adding-field-with-volatile-default", severity::warning,
       "a volatile default (random(), clock_timestamp(), gen_random_uuid()) rewrites the whole "
       "table under an ACCESS EXCLUSIVE lock",
       "add the column without the default, set the default, backfill in batches"},
      {"constraint-missing-not-valid", severity::warning,
       "validating a foreign key or check scans the whole table while holding a lock that blocks "
       "writes",
       "ADD CONSTRAINT ... NOT VALID, then VALIDATE CONSTRAINT in a later migration"},
      {"disallowed-unique-constraint", severity::warning,
       "builds its unique index under an ACCESS EXCLUSIVE lock",
       "CREATE UNIQUE INDEX CONCURRENTLY, then ADD CONSTRAINT ... UNIQUE USING INDEX"},
      {"adding-primary-key-constraint", severity::warning,
       "builds its index under an ACCESS EXCLUSIVE lock",
       "CREATE UNIQUE INDEX CONCURRENTLY, then ADD CONSTRAINT ... PRIMARY KEY USING INDEX"},
      {"changing-column-type", severity::warning,
       "most type changes rewrite the table and its indexes under an ACCESS EXCLUSIVE lock",
       "add a column of the new type, backfill it, switch the application, drop the old one"},
      {"ban-drop-column", severity::warning,
       "running clients that still read the column fail, and its data is gone",
       "stop using the column in the application first; drop it in a later release"},
      {"ban-drop-table", severity::warning,
       "running clients that still use the table fail, and its data is gone",
       "stop using the table in the application first; drop it in a later release"},
      {"renaming-column", severity::warning, "running clients that use the old name fail at once",
       "add the new column, write both, backfill, switch reads, then drop the old one"},
      {"renaming-table", severity::warning, "running clients that use the old name fail at once",
       "create the new table (or a view under the old name) and move clients over first"},
      {"ban-detach-partition-without-concurrently", severity::warning,
       "DETACH PARTITION takes an ACCESS EXCLUSIVE lock on the parent",
       "DETACH PARTITION ... CONCURRENTLY, in a migration with '-- migrate:transactional false'"},
      {"ban-cluster", severity::warning,
       "CLUSTER rewrites the table under an ACCESS EXCLUSIVE lock",
       "leave it to maintenance (pg_repack), outside migrations"},
      {"ban-vacuum-full", severity::warning,
       "VACUUM FULL rewrites the table under an ACCESS EXCLUSIVE lock",
       "leave it to maintenance (pg_repack), outside migrations"},
      {"require-lock-timeout", severity::warning,
       "with the lock timeout turned off (a 'lock_timeout 0' header, SET lock_timeout = 0, or "
       "RESET), an ACCESS EXCLUSIVE lock waits behind every running query and queues all new "
       "ones behind itself",
       "keep a lock timeout: the runner's default (3 s, retried by the lock guard) or a header "
       "such as '-- migrate:lock_timeout 5s'"},
      {"require-statement-timeout", severity::warning,
       "a statement that rewrites or scans a table under a lock runs as long as the table is "
       "big, holding the lock all that time",
       "give the migration a '-- migrate:statement_timeout 1min' header (or SET "
       "statement_timeout first), sized to what it may hold the table for"},
      {"ban-alter-enum-add-value-and-use", severity::error,
       "PostgreSQL refuses a new enum value in the transaction that added it",
       "add the value in a migration of its own, before the one that uses it"},
      {"identifier-too-long", severity::warning,
       "PostgreSQL cuts names to 63 bytes, silently: two names can become one",
       "a name of at most 63 bytes"},
      {"transaction-nesting", severity::warning,
       "the runner runs each migration in its own transaction and records it there",
       "leave transaction control to the runner ('-- migrate:transactional false' runs each "
       "statement on its own)"},
      {"prefer-bigint-over-int", severity::warning,
       "a 32-bit integer key runs out at 2,147,483,647, and widening it rewrites the table",
       "bigint"},
      {"prefer-timestamptz", severity::warning,
       "timestamp without time zone loses the offset: the same instant reads differently "
       "across sessions",
       "timestamptz"},
      {"prefer-text-field", severity::warning,
       "changing a varchar(n) limit later takes an ACCESS EXCLUSIVE lock",
       "text, with a CHECK (length(...) <= n) if the limit matters"},
      {"prefer-identity", severity::warning,
       "serial leaves a sequence the table does not own by standard SQL; its grants and "
       "ownership drift",
       "GENERATED ALWAYS AS IDENTITY"},
      {"syntax-error", severity::error,
       "PostgreSQL 15's grammar (libpg_query) refuses the statement: the migration would fail "
       "when it runs",
       "fix the statement; syntax of a newer PostgreSQL than 15 can be let through with "
       "'-- migrate:lint_ignore syntax-error' in the header"},
      {"unknown-lint-rule", severity::warning,
       "a lint_ignore names a rule that does not exist: it silences nothing",
       "one of the rule ids of 'lint --rules'"},
  };
  return rules;
}

const lint_rule* find_lint_rule(std::string_view id) {
  const auto& rules = lint_rules();
  auto it =
      std::find_if(rules.begin(), rules.end(), [&](const lint_rule& r) { return id == r.id; });
  return it == rules.end() ? nullptr : &*it;
}

}  // namespace migration_tools
