// The lint's checks of one statement's parse tree (libpg_query's JSON). What
// the statement touches is read from the tree, never from its text.
#include "statement_checks.hpp"

#include <algorithm>
#include <cctype>

#include "migration_tools/core/migration.hpp"

namespace migration_tools::lint_detail {

namespace {

using nlohmann::json;

// A member of an object node, or null: libpg_query leaves out what is empty
// or false.
const json& member(const json& node, const char* key) {
  static const json none;
  if (!node.is_object()) return none;
  auto it = node.find(key);
  return it == node.end() ? none : *it;
}

std::string str(const json& node, const char* key) {
  const json& v = member(node, key);
  return v.is_string() ? v.get<std::string>() : "";
}

bool flag(const json& node, const char* key) {
  const json& v = member(node, key);
  return v.is_boolean() && v.get<bool>();
}

// The last element of a name list ([{"String": {"sval": "pg_catalog"}},
// {"String": {"sval": "int4"}}] -> "int4").
std::string last_name(const json& names) {
  if (!names.is_array() || names.empty()) return "";
  const auto& last = names.back();
  if (last.contains("String")) return str(member(last, "String"), "sval");
  return "";
}

// A name as SQL writes it: in double quotes unless it needs none (lower
// case letters, digits, _ and $), so that "s.b" (one name) is not s.b and
// PostgreSQL's to_regclass() reads it back (--wait-for-idle).
std::string sql_name(const std::string& part) {
  bool plain =
      !part.empty() && !std::isdigit(static_cast<unsigned char>(part[0])) && part[0] != '$' &&
      std::all_of(part.begin(), part.end(), [](char ch) {
        return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_' || ch == '$';
      });
  if (plain) return part;
  std::string out = "\"";
  for (char ch : part) out += ch == '"' ? std::string("\"\"") : std::string(1, ch);
  return out + "\"";
}

std::string relation_name(const json& range_var) {
  if (!range_var.is_object()) return "";
  std::string schema = str(range_var, "schemaname");
  std::string name = sql_name(str(range_var, "relname"));
  return schema.empty() ? name : sql_name(schema) + "." + name;
}

int location_of(const json& node, int fallback = 0) {
  if (node.is_object() && node.contains("location")) return member(node, "location").get<int>();
  return fallback;
}

// Whether `SET [LOCAL] name = value` leaves a limit in force: a value that
// is no zero. SET ... TO DEFAULT and RESET fall back to the session's value,
// which the runner's RESET ALL makes the server's default (none, usually).
bool sets_a_limit(const json& set) {
  if (str(set, "kind") != "VAR_SET_VALUE") return false;
  const json& args = member(set, "args");
  if (!args.is_array() || args.size() != 1) return true;  // not ours to judge
  const json& constant = member(args[0], "A_Const");
  if (constant.contains("ival")) {
    const json& value = member(member(constant, "ival"), "ival");  // left out when 0
    return value.is_number() && value.get<long long>() > 0;
  }
  if (constant.contains("sval")) {
    auto ms = parse_postgres_duration(str(member(constant, "sval"), "sval"));
    return !ms || *ms > 0;
  }
  return true;
}

// Whether a table was created earlier in this migration (by either name).
bool created_here(const statement_context& c, const json& range_var) {
  std::string full = relation_name(range_var);
  std::string bare = range_var.is_object() ? sql_name(str(range_var, "relname")) : "";
  return c.created_tables.count(full) || c.created_tables.count(bare) ||
         c.empty_tables.count(full) || c.empty_tables.count(bare);
}

const char* const volatile_functions[] = {"random",           "clock_timestamp",  "gen_random_uuid",
                                          "uuid_generate_v1", "uuid_generate_v4", "timeofday",
                                          "nextval"};

bool calls_volatile_function(const json& node) {
  if (node.is_object()) {
    if (node.contains("FuncCall")) {
      std::string name = last_name(member(member(node, "FuncCall"), "funcname"));
      for (const char* v : volatile_functions)
        if (name == v) return true;
    }
    for (const auto& [key, value] : node.items())
      if (calls_volatile_function(value)) return true;
  } else if (node.is_array()) {
    for (const auto& value : node)
      if (calls_volatile_function(value)) return true;
  }
  return false;
}

// Every string constant in the tree (for the enum rule).
void string_constants(const json& node, std::vector<std::string>& out) {
  if (node.is_object()) {
    if (node.contains("A_Const") && member(node, "A_Const").contains("sval"))
      out.push_back(str(member(member(node, "A_Const"), "sval"), "sval"));
    for (const auto& [key, value] : node.items()) string_constants(value, out);
  } else if (node.is_array()) {
    for (const auto& value : node) string_constants(value, out);
  }
}

// The type rules of one column definition.
// A statement that rewrites or scans an existing table under its lock.
void long_under_lock(statement_context& c, int location, const std::string& what) {
  if (!c.statement_timeout)
    c.report("require-statement-timeout", location, what + " runs without a statement_timeout");
}

void check_column_type(const json& column, statement_context& c) {
  const json& type = member(column, "typeName");
  std::string name = last_name(member(type, "names"));
  int at = location_of(type, location_of(column));
  std::string col = str(column, "colname");
  if (name == "int4" || name == "int2")
    c.report("prefer-bigint-over-int", at,
             "column '" + col + "' is " + (name == "int4" ? "integer" : "smallint"));
  if (name == "serial" || name == "serial4" || name == "smallserial" || name == "serial2" ||
      name == "bigserial" || name == "serial8")
    c.report("prefer-identity", at, "column '" + col + "' is " + name);
  if (name == "serial" || name == "serial4" || name == "smallserial" || name == "serial2")
    c.report("prefer-bigint-over-int", at, "column '" + col + "' is " + name);
  if (name == "timestamp") c.report("prefer-timestamptz", at, "column '" + col + "' is timestamp");
  if ((name == "varchar" || name == "bpchar") && type.contains("typmods"))
    c.report("prefer-text-field", at,
             "column '" + col + "' is " + (name == "varchar" ? "varchar(n)" : "char(n)"));
}

bool has_default(const json& column) {
  if (!column.contains("constraints")) return false;
  for (const auto& k : member(column, "constraints")) {
    std::string type = str(member(k, "Constraint"), "contype");
    if (type == "CONSTR_DEFAULT" || type == "CONSTR_IDENTITY" || type == "CONSTR_GENERATED")
      return true;
  }
  return false;
}

bool has_not_null(const json& column) {
  if (!column.contains("constraints")) return false;
  for (const auto& k : member(column, "constraints")) {
    std::string type = str(member(k, "Constraint"), "contype");
    if (type == "CONSTR_NOTNULL" || type == "CONSTR_PRIMARY") return true;
  }
  return false;
}

// A table (or, for DROP INDEX, an index) the statement locks ACCESS
// EXCLUSIVE, for exclusively_locked_tables(); new tables are no one's yet.
void note_exclusive(statement_context& c, const std::string& name) {
  if (name.empty() || c.created_tables.count(name)) return;
  if (std::find(c.exclusive_tables.begin(), c.exclusive_tables.end(), name) ==
      c.exclusive_tables.end())
    c.exclusive_tables.push_back(name);
}

void note_exclusive(statement_context& c, const json& range_var) {
  if (!created_here(c, range_var)) note_exclusive(c, relation_name(range_var));
}

void check_create_table(const json& s, statement_context& c) {
  std::string table = relation_name(member(s, "relation"));
  if (s.contains("tableElts"))
    for (const auto& element : member(s, "tableElts")) {
      if (!element.contains("ColumnDef")) continue;
      const auto& column = member(element, "ColumnDef");
      check_column_type(column, c);
    }
  c.created_tables.insert(table);
  c.created_tables.insert(sql_name(str(member(s, "relation"), "relname")));
}

// An ALTER TABLE subcommand on an existing table.
void check_alter_command(const json& command, const json& relation, statement_context& c,
                         bool& exclusive) {
  std::string subtype = str(command, "subtype");
  std::string table = relation_name(relation);
  int at = location_of(relation);
  const json& def = member(command, "def");
  // Every subcommand below but VALIDATE CONSTRAINT and DETACH ... CONCURRENTLY
  // takes an ACCESS EXCLUSIVE lock (a few take SHARE ROW EXCLUSIVE; both
  // queue every query behind them).
  if (subtype != "AT_ValidateConstraint" &&
      !(subtype == "AT_DetachPartition" && def.contains("PartitionCmd") &&
        flag(member(def, "PartitionCmd"), "concurrent")))
    exclusive = true;
  if (subtype == "AT_AddColumn" && def.contains("ColumnDef")) {
    const auto& column = member(def, "ColumnDef");
    std::string col = str(column, "colname");
    c.added_columns.insert(table + "." + col);
    check_column_type(column, c);
    if (has_not_null(column) && !has_default(column))
      c.report("adding-required-field", location_of(column, at),
               "column '" + col + "' of " + table + " is added NOT NULL without a default");
    if (column.contains("constraints"))
      for (const auto& k : member(column, "constraints"))
        if (str(member(k, "Constraint"), "contype") == "CONSTR_DEFAULT" &&
            calls_volatile_function(member(member(k, "Constraint"), "raw_expr"))) {
          c.report("adding-field-with-volatile-default", location_of(member(k, "Constraint"), at),
                   "column '" + col + "' of " + table + " gets a volatile default");
          long_under_lock(c, at, "ALTER TABLE " + table);
        }
  } else if (subtype == "AT_DropColumn") {
    if (!c.upgrade_columns.count(table + "." + str(command, "name")))
      c.report("ban-drop-column", at,
               "column '" + str(command, "name") + "' of " + table + " is dropped");
  } else if (subtype == "AT_AlterColumnType") {
    std::string type =
        def.contains("ColumnDef")
            ? last_name(member(member(member(def, "ColumnDef"), "typeName"), "names"))
            : "";
    // To text, a table's rows stay as they are for varchar and char: the one
    // change that is commonly binary-coercible without knowing the old type.
    if (type != "text") {
      c.report("changing-column-type",
               location_of(def.contains("ColumnDef") ? member(def, "ColumnDef") : def, at),
               "column '" + str(command, "name") + "' of " + table + " changes type");
      long_under_lock(c, at, "ALTER TABLE " + table);
    }
  } else if (subtype == "AT_AddConstraint" && def.contains("Constraint")) {
    const auto& k = member(def, "Constraint");
    std::string type = str(k, "contype");
    std::string name = str(k, "conname");
    int where = location_of(k, at);
    bool not_valid = flag(k, "skip_validation");
    if ((type == "CONSTR_FOREIGN" || type == "CONSTR_CHECK") && !not_valid) {
      c.report("constraint-missing-not-valid", where,
               std::string(type == "CONSTR_FOREIGN" ? "foreign key" : "check") +
                   (name.empty() ? "" : " '" + name + "'") + " on " + table +
                   " is validated as it is added");
      long_under_lock(c, where, "ALTER TABLE " + table);
    }
    bool using_index = k.contains("indexname");
    if (type == "CONSTR_UNIQUE" && !using_index)
      c.report("disallowed-unique-constraint", where,
               "unique constraint" + (name.empty() ? "" : " '" + name + "'") + " on " + table +
                   " builds its index as it is added");
    if (type == "CONSTR_PRIMARY" && !using_index)
      c.report("adding-primary-key-constraint", where,
               "primary key on " + table + " builds its index as it is added");
  } else if (subtype == "AT_DetachPartition") {
    bool concurrent =
        def.contains("PartitionCmd") && flag(member(def, "PartitionCmd"), "concurrent");
    if (!concurrent)
      c.report("ban-detach-partition-without-concurrently", at,
               "a partition of " + table + " is detached without CONCURRENTLY");
    else if (c.transactional)
      c.report("ban-concurrent-index-creation-in-transaction", at,
               "DETACH PARTITION ... CONCURRENTLY runs in the migration's transaction");
  }
}

void check_alter_table(const json& s, statement_context& c) {
  if (str(s, "objtype") != "OBJECT_TABLE") return;
  const json& relation = member(s, "relation");
  bool new_table = created_here(c, relation);
  bool exclusive = false;
  for (const auto& item : member(s, "cmds")) {
    const auto& command = member(item, "AlterTableCmd");
    if (new_table) {
      // A new table is empty and unused: only the rules that are not about
      // locks or rewrites.
      if (str(command, "subtype") == "AT_AddColumn" && member(command, "def").contains("ColumnDef"))
        check_column_type(member(member(command, "def"), "ColumnDef"), c);
      continue;
    }
    check_alter_command(command, relation, c, exclusive);
  }
  if (exclusive) note_exclusive(c, relation_name(relation));
  if (exclusive && !c.lock_timeout)
    c.report("require-lock-timeout", location_of(relation),
             "ALTER TABLE " + relation_name(relation) + " runs without a lock_timeout");
}

void check_index(const json& s, statement_context& c) {
  const json& relation = member(s, "relation");
  int at = location_of(relation);
  bool concurrent = flag(s, "concurrent");
  if (concurrent && c.transactional)
    c.report("ban-concurrent-index-creation-in-transaction", at,
             "CREATE INDEX CONCURRENTLY runs in the migration's transaction");
  if (!concurrent && !created_here(c, relation)) {
    c.report("require-concurrent-index-creation", at,
             "index on " + relation_name(relation) + " is created without CONCURRENTLY");
    long_under_lock(c, at, "CREATE INDEX on " + relation_name(relation));
  }
}

void check_drop(const json& s, statement_context& c) {
  std::string type = str(s, "removeType");
  bool concurrent = flag(s, "concurrent");
  std::vector<std::string> names;
  for (const auto& object : member(s, "objects"))
    if (object.contains("List")) {
      std::string name;
      for (const auto& part : member(member(object, "List"), "items"))
        name += (name.empty() ? "" : ".") + sql_name(str(member(part, "String"), "sval"));
      names.push_back(name);
    }
  std::string list;
  for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
  if (type == "OBJECT_INDEX") {
    if (concurrent && c.transactional)
      c.report("ban-concurrent-index-creation-in-transaction", 0,
               "DROP INDEX CONCURRENTLY runs in the migration's transaction");
    if (!concurrent) {
      c.report("require-concurrent-index-deletion", 0,
               "index " + list + " is dropped without CONCURRENTLY");
      for (const auto& n : names) note_exclusive(c, n);  // and its table
    }
  } else if (type == "OBJECT_TABLE") {
    for (const auto& n : names) note_exclusive(c, n);
    bool all_new = std::all_of(names.begin(), names.end(), [&](const std::string& n) {
      return c.created_tables.count(n) || c.upgrade_tables.count(n) || c.empty_tables.count(n);
    });
    if (!all_new) c.report("ban-drop-table", 0, "table " + list + " is dropped");
  }
}

void check_rename(const json& s, statement_context& c) {
  std::string type = str(s, "renameType");
  const json& relation = member(s, "relation");
  if (created_here(c, relation)) return;
  int at = location_of(relation);
  if (type == "OBJECT_COLUMN")
    c.report("renaming-column", at,
             "column '" + str(s, "subname") + "' of " + relation_name(relation) +
                 " is renamed to '" + str(s, "newname") + "'");
  else if (type == "OBJECT_TABLE")
    c.report("renaming-table", at,
             "table " + relation_name(relation) + " is renamed to '" + str(s, "newname") + "'");
}

bool has_option(const json& options, const char* name) {
  if (!options.is_array()) return false;
  for (const auto& o : options)
    if (o.contains("DefElem") && str(member(o, "DefElem"), "defname") == name) return true;
  return false;
}

}  // namespace

void check_statement(const json& node, statement_context& c) {
  if (!node.is_object() || node.empty()) return;
  const std::string kind = node.begin().key();
  const json& s = node.begin().value();
  if (kind == "CreateStmt") {
    check_create_table(s, c);
  } else if (kind == "AlterTableStmt") {
    check_alter_table(s, c);
  } else if (kind == "IndexStmt") {
    check_index(s, c);
  } else if (kind == "DropStmt") {
    check_drop(s, c);
  } else if (kind == "RenameStmt") {
    check_rename(s, c);
  } else if (kind == "ReindexStmt") {
    bool concurrent = has_option(member(s, "params"), "concurrently");
    if (!concurrent)
      c.report("ban-reindex-without-concurrently", location_of(member(s, "relation")),
               "REINDEX without CONCURRENTLY");
    else if (c.transactional)
      c.report("ban-concurrent-index-creation-in-transaction", location_of(member(s, "relation")),
               "REINDEX CONCURRENTLY runs in the migration's transaction");
  } else if (kind == "ClusterStmt") {
    c.report("ban-cluster", location_of(member(s, "relation")),
             "CLUSTER " + relation_name(member(s, "relation")));
    note_exclusive(c, member(s, "relation"));
  } else if (kind == "VacuumStmt") {
    if (has_option(member(s, "options"), "full")) {
      c.report("ban-vacuum-full", 0, "VACUUM FULL");
      for (const auto& r : member(s, "rels"))
        note_exclusive(c, member(member(r, "VacuumRelation"), "relation"));
    }
  } else if (kind == "TruncateStmt") {
    for (const auto& r : member(s, "relations")) note_exclusive(c, member(r, "RangeVar"));
  } else if (kind == "LockStmt") {
    // Mode 8 is ACCESS EXCLUSIVE (PostgreSQL's lockdefs.h), LOCK's default.
    const json& mode = member(s, "mode");
    if (mode.is_number() && mode.get<int>() == 8)
      for (const auto& r : member(s, "relations")) note_exclusive(c, member(r, "RangeVar"));
  } else if (kind == "VariableSetStmt") {
    if (str(s, "name") == "lock_timeout") c.lock_timeout = sets_a_limit(s);
    if (str(s, "name") == "statement_timeout") c.statement_timeout = sets_a_limit(s);
  } else if (kind == "AlterEnumStmt") {
    if (s.contains("newVal")) c.new_enum_values.push_back(member(s, "newVal").get<std::string>());
    return;
  } else if (kind == "TransactionStmt") {
    c.report("transaction-nesting", 0, "transaction control in a migration");
  }
  // A value added to an enum earlier in this transaction, used here.
  if (c.transactional && !c.new_enum_values.empty()) {
    std::vector<std::string> used;
    string_constants(s, used);
    for (const auto& v : used)
      if (std::find(c.new_enum_values.begin(), c.new_enum_values.end(), v) !=
          c.new_enum_values.end()) {
        c.report("ban-alter-enum-add-value-and-use", 0,
                 "enum value '" + v + "' is used in the transaction that added it");
        break;
      }
  }
}

}  // namespace migration_tools::lint_detail
