// The lint of dangerous DDL (issue 34): for each rule, a migration that
// triggers it and one that must not; the IDE-format line; suppression per
// file and per statement, both ways; unknown rule ids.
#include "migration_tools/core/lint.hpp"

#include <catch2/catch.hpp>
#include <set>

using namespace migration_tools;

namespace {

const std::string header =
    "-- migrate:revision r1\n-- migrate:down_revision none\n-- migrate:message m\n";

std::vector<lint_finding> lint_text(const std::string& text) {
  std::vector<diagnostic> ds;
  auto m = parse_migration("migrations/001_m.sql", text, ds);
  INFO(format_diagnostics(ds));
  REQUIRE(ds.empty());
  return lint_migration(m, text);
}

std::vector<lint_finding> lint_sql(const std::string& upgrade,
                                   const std::string& extra_header = "") {
  return lint_text(header + extra_header + "\n-- migrate:upgrade\n" + upgrade + "\n");
}

// The rule ids found, in order.
std::vector<std::string> rules_of(const std::vector<lint_finding>& findings) {
  std::vector<std::string> out;
  for (const auto& f : findings) out.push_back(f.rule->id);
  return out;
}

std::vector<std::string> rules_in(const std::string& upgrade, const std::string& extra = "") {
  auto findings = lint_sql(upgrade, extra);
  for (const auto& f : findings) UNSCOPED_INFO(format_lint_finding(f));
  return rules_of(findings);
}

using ids = std::vector<std::string>;

const std::string timeout = "-- migrate:lock_timeout 5s\n-- migrate:statement_timeout 1min\n";
const std::string outside = "-- migrate:transactional false\n";

}  // namespace

TEST_CASE("lint: every rule has an id, a reason and an alternative, and ids are unique",
          "[unit][lint]") {
  std::set<std::string> seen;
  for (const auto& r : lint_rules()) {
    CHECK(std::string(r.reason).size() > 10);
    CHECK(std::string(r.instead).size() > 3);
    CHECK(seen.insert(r.id).second);
    CHECK(find_lint_rule(r.id) == &r);
  }
  CHECK(find_lint_rule("no-such-rule") == nullptr);
}

TEST_CASE("lint: indexes need CONCURRENTLY on existing tables, outside a transaction",
          "[unit][lint]") {
  CHECK(rules_in("CREATE INDEX i ON t (a);", timeout) == ids{"require-concurrent-index-creation"});
  // Built under the table's lock, it runs as long as the table is big.
  CHECK(rules_in("CREATE INDEX i ON t (a);") ==
        ids{"require-concurrent-index-creation", "require-statement-timeout"});
  CHECK(rules_in("SET statement_timeout = '1min';\nCREATE INDEX i ON t (a);") ==
        ids{"require-concurrent-index-creation"});
  CHECK(rules_in("CREATE INDEX CONCURRENTLY i ON t (a);", outside).empty());
  CHECK(rules_in("CREATE INDEX CONCURRENTLY i ON t (a);") ==
        ids{"ban-concurrent-index-creation-in-transaction"});
  CHECK(rules_in("DROP INDEX i;") == ids{"require-concurrent-index-deletion"});
  CHECK(rules_in("DROP INDEX CONCURRENTLY i;", outside).empty());
  CHECK(rules_in("REINDEX INDEX i;") == ids{"ban-reindex-without-concurrently"});
  CHECK(rules_in("REINDEX INDEX CONCURRENTLY i;", outside).empty());
  // A table created earlier in the migration is new and empty.
  CHECK(rules_in("CREATE TABLE t (a bigint);\nCREATE INDEX i ON t (a);").empty());
  CHECK(rules_in("CREATE TABLE s.t (a bigint);\nCREATE INDEX i ON s.t (a);").empty());
}

TEST_CASE("lint: columns added NOT NULL without a default, or with a volatile one",
          "[unit][lint]") {
  CHECK(rules_in("ALTER TABLE t ADD COLUMN c bigint NOT NULL;", timeout) ==
        ids{"adding-required-field"});
  CHECK(rules_in("ALTER TABLE t ADD COLUMN c bigint NOT NULL DEFAULT 0;", timeout).empty());
  CHECK(rules_in("ALTER TABLE t ADD COLUMN c uuid DEFAULT gen_random_uuid();", timeout) ==
        ids{"adding-field-with-volatile-default"});
  CHECK(rules_in("ALTER TABLE t ADD COLUMN c timestamptz DEFAULT now();", timeout).empty());
  CHECK(
      rules_in("CREATE TABLE t (a bigint);\nALTER TABLE t ADD COLUMN c bigint NOT NULL;").empty());
}

TEST_CASE("lint: constraints are added NOT VALID or USING INDEX", "[unit][lint]") {
  CHECK(rules_in("ALTER TABLE t ADD CONSTRAINT f FOREIGN KEY (a) REFERENCES u;", timeout) ==
        ids{"constraint-missing-not-valid"});
  CHECK(rules_in("ALTER TABLE t ADD CONSTRAINT f FOREIGN KEY (a) REFERENCES u NOT VALID;", timeout)
            .empty());
  CHECK(rules_in("ALTER TABLE t ADD CONSTRAINT c CHECK (a > 0);", timeout) ==
        ids{"constraint-missing-not-valid"});
  CHECK(rules_in("ALTER TABLE t VALIDATE CONSTRAINT c;").empty());
  CHECK(rules_in("ALTER TABLE t ADD CONSTRAINT u UNIQUE (a);", timeout) ==
        ids{"disallowed-unique-constraint"});
  CHECK(rules_in("ALTER TABLE t ADD CONSTRAINT u UNIQUE USING INDEX i;", timeout).empty());
  CHECK(rules_in("ALTER TABLE t ADD PRIMARY KEY (a);", timeout) ==
        ids{"adding-primary-key-constraint"});
  CHECK(rules_in("ALTER TABLE t ADD CONSTRAINT p PRIMARY KEY USING INDEX i;", timeout).empty());
}

TEST_CASE("lint: type changes, drops and renames", "[unit][lint]") {
  CHECK(rules_in("ALTER TABLE t ALTER COLUMN a TYPE bigint;", timeout) ==
        ids{"changing-column-type"});
  CHECK(rules_in("ALTER TABLE t ALTER COLUMN a TYPE text;", timeout).empty());
  CHECK(rules_in("ALTER TABLE t DROP COLUMN a;", timeout) == ids{"ban-drop-column"});
  CHECK(rules_in("DROP TABLE t;") == ids{"ban-drop-table"});
  CHECK(rules_in("CREATE TABLE t (a bigint);\nDROP TABLE t;").empty());
  CHECK(rules_in("ALTER TABLE t RENAME COLUMN a TO b;") == ids{"renaming-column"});
  CHECK(rules_in("ALTER TABLE t RENAME TO u;") == ids{"renaming-table"});
  CHECK(rules_in("CREATE TABLE t (a bigint);\nALTER TABLE t RENAME COLUMN a TO b;").empty());
}

TEST_CASE("lint: a downgrade may drop what its own upgrade created", "[unit][lint]") {
  auto rules = [](const std::string& up, const std::string& down) {
    return rules_of(lint_text(header + timeout + "\n-- migrate:upgrade\n" + up +
                              "\n-- migrate:downgrade\n" + down + "\n"));
  };
  CHECK(rules("CREATE TABLE t (a bigint);", "DROP TABLE t;").empty());
  CHECK(rules("CREATE TABLE t (a bigint);", "DROP TABLE u;") == ids{"ban-drop-table"});
  CHECK(rules("ALTER TABLE t ADD COLUMN c text;", "ALTER TABLE t DROP COLUMN c;").empty());
  CHECK(rules("ALTER TABLE t ADD COLUMN c text;", "ALTER TABLE t DROP COLUMN d;") ==
        ids{"ban-drop-column"});
}

TEST_CASE("lint: partitions, CLUSTER and VACUUM FULL", "[unit][lint]") {
  CHECK(rules_in("ALTER TABLE t DETACH PARTITION p;", timeout) ==
        ids{"ban-detach-partition-without-concurrently"});
  CHECK(rules_in("ALTER TABLE t DETACH PARTITION p CONCURRENTLY;", outside).empty());
  CHECK(rules_in("CLUSTER t USING i;") == ids{"ban-cluster"});
  CHECK(rules_in("VACUUM (FULL) t;") == ids{"ban-vacuum-full"});
  CHECK(rules_in("VACUUM t;").empty());
}

TEST_CASE(
    "lint: an ACCESS EXCLUSIVE lock on an existing table needs a lock_timeout, the runner's "
    "default or its own",
    "[unit][lint]") {
  const std::string alter = "ALTER TABLE t ALTER COLUMN a SET DEFAULT 1;";
  const std::string no_limit = "-- migrate:lock_timeout 0\n";
  // The runner's default lock_timeout (the lock guard's 3 s) holds unless
  // the migration turns it off.
  CHECK(rules_in(alter).empty());
  CHECK(rules_in(alter, timeout).empty());
  CHECK(rules_in(alter, no_limit) == ids{"require-lock-timeout"});
  CHECK(rules_in("SET lock_timeout = 0;\n" + alter) == ids{"require-lock-timeout"});
  CHECK(rules_in("SET LOCAL lock_timeout = '0s';\n" + alter) == ids{"require-lock-timeout"});
  CHECK(rules_in("RESET lock_timeout;\n" + alter) == ids{"require-lock-timeout"});
  CHECK(rules_in("SET lock_timeout TO DEFAULT;\n" + alter) == ids{"require-lock-timeout"});
  CHECK(rules_in("SET lock_timeout = '2s';\n" + alter, no_limit).empty());
  CHECK(rules_in("SET LOCAL lock_timeout = 2000;\n" + alter, no_limit).empty());
  // VALIDATE CONSTRAINT takes a SHARE UPDATE EXCLUSIVE lock: reads and writes go on.
  CHECK(rules_in("ALTER TABLE t VALIDATE CONSTRAINT c;").empty());
}

TEST_CASE("lint: an enum value used in the transaction that added it", "[unit][lint]") {
  CHECK(rules_in("ALTER TYPE mood ADD VALUE 'busy';\nUPDATE t SET m = 'busy';") ==
        ids{"ban-alter-enum-add-value-and-use"});
  CHECK(rules_in("ALTER TYPE mood ADD VALUE 'busy';", outside).empty());
  CHECK(rules_in("ALTER TYPE mood ADD VALUE 'busy';\nUPDATE t SET m = 'calm';").empty());
}

TEST_CASE("lint: names over 63 bytes, and transaction control", "[unit][lint]") {
  std::string long_name(64, 'n');
  CHECK(rules_in("CREATE TABLE " + long_name + " (a bigint);") == ids{"identifier-too-long"});
  CHECK(rules_in("CREATE TABLE " + long_name.substr(1) + " (a bigint);").empty());
  CHECK(rules_in("BEGIN;\nCREATE TABLE t (a bigint);\nCOMMIT;", outside) ==
        ids{"transaction-nesting", "transaction-nesting"});
}

TEST_CASE("lint: types that age badly", "[unit][lint]") {
  CHECK(rules_in("CREATE TABLE t (a integer);") == ids{"prefer-bigint-over-int"});
  CHECK(rules_in("CREATE TABLE t (a serial);") == ids{"prefer-identity", "prefer-bigint-over-int"});
  CHECK(rules_in("CREATE TABLE t (a bigserial);") == ids{"prefer-identity"});
  CHECK(rules_in("CREATE TABLE t (a timestamp);") == ids{"prefer-timestamptz"});
  CHECK(rules_in("CREATE TABLE t (a varchar(20));") == ids{"prefer-text-field"});
  CHECK(rules_in("CREATE TABLE t (a bigint GENERATED ALWAYS AS IDENTITY, b timestamptz, c text, "
                 "d varchar);")
            .empty());
}

TEST_CASE("lint: a finding is a compiler-style line at the statement's file line and column",
          "[unit][lint]") {
  auto findings = lint_text(header + "-- migrate:statement_timeout 1min\n" +
                            "\n-- migrate:upgrade\n"
                            "CREATE TABLE t (a bigint);\n"
                            "  CREATE INDEX i\n    ON existing (a);\n"
                            "\n-- migrate:downgrade\n"
                            "DROP INDEX i;\n");
  REQUIRE(findings.size() == 2);
  CHECK(format_lint_finding(findings[0]) ==
        "migrations/001_m.sql:9:8: warning: index on existing is created without CONCURRENTLY: "
        "blocks writes to the table until the index is built; instead: CREATE INDEX "
        "CONCURRENTLY, in a migration with '-- migrate:transactional false' "
        "[require-concurrent-index-creation]");
  CHECK(findings[1].downgrade);
  CHECK(format_lint_finding(findings[1])
            .rfind("migrations/001_m.sql:12:1: warning: index i is "
                   "dropped without CONCURRENTLY (downgrade): ",
                   0) == 0);
  auto errors = lint_sql("CREATE INDEX CONCURRENTLY i ON t (a);");
  REQUIRE(errors.size() == 1);
  CHECK(format_lint_finding(errors[0]).rfind("migrations/001_m.sql:6:32: error: ", 0) == 0);
}

TEST_CASE("lint: suppression for the file and for one statement, both ways", "[unit][lint]") {
  const std::string two = "DROP TABLE a;\nDROP TABLE b;";
  CHECK(rules_in(two) == ids{"ban-drop-table", "ban-drop-table"});
  CHECK(rules_in(two, "-- migrate:lint_ignore ban-drop-table\n").empty());
  CHECK(rules_in(two, "-- migrate:lint_ignore ban-drop-column, renaming-table\n") ==
        ids{"ban-drop-table", "ban-drop-table"});
  CHECK(rules_in("-- lint:ignore ban-drop-table\nDROP TABLE a;\nDROP TABLE b;") ==
        ids{"ban-drop-table"});
  CHECK(rules_in("DROP TABLE a;\n-- lint:ignore ban-drop-table\nDROP TABLE b;") ==
        ids{"ban-drop-table"});
  // A reason may follow the ids.
  CHECK(rules_in("-- lint:ignore ban-drop-table (the declared schema drops it)\nDROP TABLE a;")
            .empty());
  CHECK(rules_in(two, "-- migrate:lint_ignore ban-drop-table, renaming-table (moved to v2)\n")
            .empty());
  // A comment further up says nothing of this statement.
  CHECK(rules_in("-- lint:ignore ban-drop-table\n\nDROP TABLE a;") == ids{"ban-drop-table"});
  auto typo = lint_sql("DROP TABLE a;", "-- migrate:lint_ignore ban-drop-tabel\n");
  REQUIRE(typo.size() == 2);
  CHECK(format_lint_finding(typo[0]) ==
        "migrations/001_m.sql:4:1: warning: 'ban-drop-tabel' is no lint rule: a lint_ignore "
        "names a rule that does not exist: it silences nothing; instead: one of the rule ids "
        "of 'lint --rules' [unknown-lint-rule]");
  CHECK(std::string(typo[1].rule->id) == "ban-drop-table");
}

TEST_CASE("lint: C++ migrations and statements the grammar refuses are left alone",
          "[unit][lint]") {
  CHECK(rules_in("SELEC 1;").empty());
  std::vector<diagnostic> ds;
  auto m = parse_migration("migrations/002_m.cpp",
                           "// migrate:revision r2\n// migrate:down_revision none\n", ds);
  CHECK(lint_migration(m, "").empty());
}

TEST_CASE("lint: a written migration carries the rules it breaks on purpose, and why",
          "[unit][lint]") {
  std::string text = header +
                     "-- migrate:lock_timeout 5s\n\n-- migrate:upgrade\n"
                     "ALTER TABLE t DROP COLUMN c;\nCREATE INDEX CONCURRENTLY i ON t (a);\n"
                     "\n-- migrate:downgrade\nALTER TABLE t ADD COLUMN c text;\n";
  std::string annotated = with_lint_suppressions("m.sql", text, "the declared schema asks for it");
  CHECK(annotated == header +
                         "-- migrate:lock_timeout 5s\n\n-- migrate:upgrade\n"
                         "-- lint:ignore ban-drop-column (the declared schema asks for it)\n"
                         "ALTER TABLE t DROP COLUMN c;\nCREATE INDEX CONCURRENTLY i ON t (a);\n"
                         "\n-- migrate:downgrade\nALTER TABLE t ADD COLUMN c text;\n");
  // The error (CONCURRENTLY in a transaction) is left to fail; the drop is silenced.
  CHECK(rules_of(lint_text(annotated)) == ids{"ban-concurrent-index-creation-in-transaction"});
  CHECK(with_lint_suppressions("m.sql", "not a migration", "x") == "not a migration");
}

TEST_CASE("the tables a migration locks ACCESS EXCLUSIVE, for --wait-for-idle", "[unit][lint]") {
  auto tables = [](const std::string& upgrade, const std::string& downgrade = "") {
    std::string text = header + "\n-- migrate:upgrade\n" + upgrade + "\n";
    if (!downgrade.empty()) text += "\n-- migrate:downgrade\n" + downgrade + "\n";
    std::vector<diagnostic> ds;
    auto m = parse_migration("migrations/001_m.sql", text, ds);
    REQUIRE(ds.empty());
    return std::make_pair(exclusively_locked_tables(m, false), exclusively_locked_tables(m, true));
  };
  CHECK(tables("ALTER TABLE a ADD COLUMN n text;").first == ids{"a"});
  // VALIDATE CONSTRAINT takes SHARE UPDATE EXCLUSIVE: reads and writes go on.
  CHECK(tables("ALTER TABLE a VALIDATE CONSTRAINT c;").first.empty());
  CHECK(tables("TRUNCATE a, s.b;").first == ids{"a", "s.b"});
  CHECK(tables("LOCK TABLE a;\nLOCK TABLE b IN SHARE MODE;").first == ids{"a"});
  CHECK(tables("DROP TABLE old_things;").first == ids{"old_things"});
  CHECK(tables("DROP INDEX a_idx;\nDROP INDEX CONCURRENTLY b_idx;").first == ids{"a_idx"});
  CHECK(tables("CLUSTER a USING a_pkey;\nVACUUM (FULL) b;\nVACUUM c;").first == ids{"a", "b"});
  // A table the migration creates is no one's yet; the downgrade's drop of
  // it is of a table in use by then.
  auto created =
      tables("CREATE TABLE n (id bigint);\nALTER TABLE n ADD COLUMN v text;", "DROP TABLE n;");
  CHECK(created.first.empty());
  CHECK(created.second == ids{"n"});
  CHECK(tables("INSERT INTO a VALUES (1);\nUPDATE a SET n = 1;").first.empty());
}

TEST_CASE("the tables a migration locks are named as SQL writes them", "[unit][lint]") {
  auto upgrade_tables = [](const std::string& upgrade) {
    std::string text = header + "\n-- migrate:upgrade\n" + upgrade + "\n";
    std::vector<diagnostic> ds;
    auto m = parse_migration("migrations/001_m.sql", text, ds);
    REQUIRE(ds.empty());
    return exclusively_locked_tables(m, false);
  };
  CHECK(upgrade_tables("DROP TABLE \"we\"\"ird 'ta ble\";") == ids{"\"we\"\"ird 'ta ble\""});
  CHECK(upgrade_tables("ALTER TABLE \"s.b\" ADD COLUMN n text;") == ids{"\"s.b\""});
  CHECK(upgrade_tables("ALTER TABLE S.\"Mixed\" ADD COLUMN n text;") == ids{"s.\"Mixed\""});
  CHECK(
      upgrade_tables("CREATE TABLE \"New\" (a bigint);\nALTER TABLE \"New\" ADD b text;").empty());
}
