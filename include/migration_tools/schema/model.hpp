// A database schema as plain data: what autogenerate compares. Filled from
// PostgreSQL's catalog by the PostgreSQL layer (catalog_inspector), or by
// hand in unit tests. Every definition is text as one server printed it
// (format_type, pg_get_expr, pg_get_constraintdef, pg_get_indexdef), so two
// schemas written differently but meaning the same compare equal.
#pragma once

#include <string>
#include <tuple>
#include <vector>

namespace migration_tools::schema {

// An object in a schema (namespace), e.g. public.users. Names are as stored
// in the catalog, unquoted.
struct qualified_name {
  std::string schema;
  std::string name;
  friend bool operator==(const qualified_name& a, const qualified_name& b) {
    return a.schema == b.schema && a.name == b.name;
  }
  friend bool operator!=(const qualified_name& a, const qualified_name& b) { return !(a == b); }
  friend bool operator<(const qualified_name& a, const qualified_name& b) {
    return std::tie(a.schema, a.name) < std::tie(b.schema, b.name);
  }
};

struct namespace_def {
  std::string name;
  std::string comment;
};

// A sequence's parameters, as pg_sequence holds them (numbers as text).
struct sequence_options {
  std::string start, increment, min_value, max_value, cache;
  bool cycle = false;
  friend bool operator==(const sequence_options& a, const sequence_options& b) {
    return std::tie(a.start, a.increment, a.min_value, a.max_value, a.cache, a.cycle) ==
           std::tie(b.start, b.increment, b.min_value, b.max_value, b.cache, b.cycle);
  }
  friend bool operator!=(const sequence_options& a, const sequence_options& b) { return !(a == b); }
};

struct column {
  std::string name;
  std::string type;       // format_type(atttypid, atttypmod), quoted as the server quotes it
  std::string collation;  // quoted collation name when it differs from the type's, else ""
  bool not_null = false;
  std::string default_expr;            // pg_get_expr of the default; "" without one
  char identity = 0;                   // 'a' (ALWAYS), 'd' (BY DEFAULT) or 0
  sequence_options identity_sequence;  // of an identity column
  std::string generated;               // expression of a GENERATED ALWAYS AS (...) STORED column
  std::string comment;
};

struct table {
  qualified_name name;
  bool unlogged = false;
  std::string partition_key;             // pg_get_partkeydef of a partitioned table, else ""
  qualified_name partition_parent;       // of a partition; empty name otherwise
  std::string partition_bound;           // FOR VALUES ... of a partition
  std::vector<qualified_name> inherits;  // parents by INHERITS, in order
  std::vector<column> columns;  // in their order; those a parent gives the table are the parent's
  // Of the columns a parent gives the table, those NOT NULL here (set on a
  // partition alone, or coming from the parent).
  std::vector<std::string> inherited_not_null;
  std::string comment;
  bool row_security = false;
  bool force_row_security = false;

  bool is_partition() const { return !partition_parent.name.empty(); }
};

struct constraint {
  qualified_name table;
  std::string name;
  char kind = 'c';            // p primary key, u unique, f foreign key, c check, x exclude
  std::string definition;     // pg_get_constraintdef, e.g. "FOREIGN KEY (a) REFERENCES t(id)"
  bool validated = true;      // false: NOT VALID (the definition then ends in " NOT VALID")
  qualified_name references;  // the referenced table of a foreign key
  std::string comment;
};

// An index that is not a constraint's own (primary key, unique, exclude).
struct index {
  qualified_name table;
  qualified_name name;     // an index lives in its table's schema
  std::string definition;  // pg_get_indexdef
  std::string comment;
};

// A sequence that is not an identity column's (those are the column's).
struct sequence {
  qualified_name name;
  std::string type;  // smallint, integer or bigint
  sequence_options options;
  qualified_name owner_table;  // OWNED BY; empty name when owned by nothing
  std::string owner_column;
  std::string comment;
};

// A column a view or function depends on: table and column name ("" for the
// relation as a whole).
struct column_ref {
  qualified_name relation;
  std::string column;
  friend bool operator<(const column_ref& a, const column_ref& b) {
    return std::tie(a.relation, a.column) < std::tie(b.relation, b.column);
  }
  friend bool operator==(const column_ref& a, const column_ref& b) {
    return a.relation == b.relation && a.column == b.column;
  }
};

struct view {
  qualified_name name;
  bool materialized = false;
  std::string definition;              // pg_get_viewdef: the query
  std::string options;                 // reloptions, e.g. "security_barrier=true", comma separated
  std::string check_option;            // "local", "cascaded" or ""
  std::vector<column_ref> depends_on;  // relations and columns, from pg_depend
  std::string comment;
};

struct enum_type {
  qualified_name name;
  std::vector<std::string> values;  // in sort order
  std::string comment;
};

struct function {
  qualified_name name;
  std::string arguments;   // pg_get_function_identity_arguments
  char kind = 'f';         // f function, p procedure
  std::string definition;  // pg_get_functiondef: CREATE OR REPLACE ...
  std::string result;      // pg_get_function_result ("" for a procedure)
  std::string comment;
  // The functions it depends on (pg_depend: a SQL-standard body, a default
  // of an argument), by name and identity arguments: created before it and
  // dropped after it.
  std::vector<std::pair<qualified_name, std::string>> calls;
};

struct trigger {
  qualified_name table;
  std::string name;
  std::string definition;  // pg_get_triggerdef
  std::string comment;
  // The columns it depends on (UPDATE OF, WHEN): a retype of one needs the
  // trigger dropped before and created again after.
  std::vector<std::string> columns;
};

struct extension {
  std::string name;
  std::string schema;
  std::string version;
  std::string comment;
};

struct collation {
  qualified_name name;
  // What CREATE COLLATION takes, as the catalog says it:
  // "(provider = icu, locale = 'en-u-kn-true', deterministic = false)".
  std::string definition;
  std::string comment;
};

struct domain_constraint {
  std::string name;
  std::string definition;  // pg_get_constraintdef, e.g. "CHECK ((VALUE > 0))"
};

struct domain {
  qualified_name name;
  std::string base_type;  // format_type
  std::string collation;  // as for columns
  std::string default_expr;
  bool not_null = false;
  std::vector<domain_constraint> constraints;  // by name
  std::string comment;
};

struct range_type {
  qualified_name name;
  std::string subtype;          // format_type
  std::string subtype_opclass;  // quoted, when not the subtype's default; else ""
  std::string collation;        // quoted, when not the subtype's default; else ""
  std::string canonical;        // function, or ""
  std::string subtype_diff;     // function, or ""
  std::string multirange;       // the multirange type's name (format_type)
  std::string comment;
};

struct composite_attribute {
  std::string name;
  std::string type;
  std::string collation;
};

struct composite_type {
  qualified_name name;
  std::vector<composite_attribute> attributes;
  std::string comment;
};

struct policy {
  qualified_name table;
  std::string name;
  bool permissive = true;
  std::string command;  // ALL, SELECT, INSERT, UPDATE or DELETE
  std::string roles;    // quoted role names, comma separated; "PUBLIC" for all
  std::string using_expr;
  std::string check_expr;
  std::string comment;
};

// One privilege granted on a table, view, sequence, schema or function, to
// someone other than its owner (whose own are implicit).
struct privilege {
  std::string object_kind;  // TABLE, SEQUENCE, SCHEMA, FUNCTION or PROCEDURE
  std::string object;       // as SQL names it: public.items, public.f(integer)
  qualified_name relation;  // the table, view or sequence; empty for others
  std::string grantee;      // a quoted role name, or PUBLIC
  std::string type;         // SELECT, INSERT, USAGE, EXECUTE, ...
  bool grantable = false;
};

// An object of a kind the diff does not handle yet. Kept so that a change to
// it is said aloud as a warning instead of being left out of a migration.
struct unhandled_object {
  std::string kind;        // e.g. "view"
  std::string name;        // e.g. "public.active_users"
  std::string definition;  // anything that changes when the object does
};

struct schema_model {
  std::vector<namespace_def> namespaces;
  std::vector<table> tables;
  std::vector<constraint> constraints;
  std::vector<index> indexes;
  std::vector<sequence> sequences;
  std::vector<view> views;
  std::vector<enum_type> enums;
  std::vector<function> functions;
  std::vector<trigger> triggers;
  std::vector<extension> extensions;
  std::vector<collation> collations;
  std::vector<domain> domains;
  std::vector<range_type> ranges;
  std::vector<composite_type> composites;
  std::vector<policy> policies;
  std::vector<privilege> privileges;
  std::vector<unhandled_object> unhandled;
  // Schemas a diff never creates nor drops, whatever they hold: public
  // (every new database has it) and the runner's bookkeeping schema (its
  // tables are left out of the model, but live there). Set by the inspector.
  std::vector<std::string> pinned_namespaces;
};

// "schema.name", for messages.
std::string display_name(const qualified_name& name);

}  // namespace migration_tools::schema
