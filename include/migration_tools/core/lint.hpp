// A lint of dangerous DDL in SQL migrations, on PostgreSQL's own parser
// (libpg_query): the locks and rewrites that take production down (an index
// built without CONCURRENTLY, a constraint validated under an ACCESS
// EXCLUSIVE lock, a column type changed), what breaks running clients (a
// column dropped or renamed), and types that age badly. squawk's rules are
// the reference; each rule has an id, a reason and the safe alternative.
// Knows nothing of a database: a table created earlier in the same
// migration is exempt from the lock rules (it is new and empty).
#pragma once

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "migration_tools/core/diagnostic.hpp"
#include "migration_tools/core/migration.hpp"

namespace migration_tools {

struct lint_rule {
  const char* id;       // e.g. "require-concurrent-index-creation"
  severity level;       // error: PostgreSQL refuses it or it breaks the runner
  const char* reason;   // why it is dangerous, one line
  const char* instead;  // the safe alternative, one line
};

// Every rule, in a fixed order.
const std::vector<lint_rule>& lint_rules();
// The rule of an id; nullptr when there is none.
const lint_rule* find_lint_rule(std::string_view id);

struct lint_finding {
  const lint_rule* rule = nullptr;
  std::string file;
  int line = 0;            // 1-based, in the file
  int column = 0;          // 1-based
  std::string message;     // what this statement does, then the rule's reason
  bool downgrade = false;  // found in the downgrade section
  int statement_line = 0;  // where the statement begins (a lint:ignore goes on the line before)
};

// The findings of one migration's SQL sections (C++ migrations have none),
// in file order, without the suppressed ones: a `-- migrate:lint_ignore
// rule-id,...` line anywhere in the file turns those rules off for it; a
// comment `-- lint:ignore rule-id,...` on the line before a statement, for
// that statement. Rule ids that do not exist are findings of their own
// (unknown-lint-rule), so that a typo does not silence nothing in silence.
// `empty_tables`: tables earlier migrations created whose revision no
// database in sight has applied yet, so still empty: exempt from the lock
// rules as tables created in this migration are. `created` (when given)
// receives the tables this migration's upgrade creates.
std::vector<lint_finding> lint_migration(const migration& m, std::string_view file_text,
                                         const std::set<std::string>* empty_tables = nullptr,
                                         std::set<std::string>* created = nullptr);

// The existing tables a section of `m` (the downgrade's when `downgrade`)
// locks ACCESS EXCLUSIVE (ALTER TABLE, DROP TABLE, TRUNCATE, LOCK TABLE,
// CLUSTER, VACUUM FULL; for DROP INDEX without CONCURRENTLY the index, whose
// table it locks), as written (schema-qualified when it is): those its
// statements wait for, queueing every query behind them.
std::vector<std::string> exclusively_locked_tables(const migration& m, bool downgrade);

// The rule ids of a migration's `-- migrate:lint_ignore` header line (none
// without one).
std::vector<std::string> lint_ignored_rules(const migration& m, std::string_view file_text);

// `text` (a migration file) with a `-- lint:ignore ID,... (why)` line before
// each statement that a rule of level warning flags: for files a tool writes
// on purpose (autogenerate writes what the declared schema says), so that a
// reviewer sees the rule and the reason, and the build stays quiet. Findings
// of level error are left to fail. Unchanged when the text does not parse.
std::string with_lint_suppressions(std::string_view path, std::string_view text,
                                   std::string_view why);

// `file:LINE:COL: warning: message [rule-id]`, as compilers print, so that
// IDEs and CI problem matchers link it.
std::string format_lint_finding(const lint_finding& f);

}  // namespace migration_tools
