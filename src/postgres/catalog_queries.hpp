// The catalog queries of autogenerate's inspection, one per object kind, kept
// together so that they are reviewed as SQL. They run with search_path set to
// pg_catalog (catalog_inspector.cpp), so that the server prints every name
// outside pg_catalog schema-qualified, the same way for both sides of a diff,
// and no object of a user schema can stand in for a catalog function or
// operator. Objects that belong to an extension are left out.
#pragma once

namespace migration_tools::catalog_queries {

// Rows: oid, nspname, comment. Schemas of users (not pg_*, information_schema).
extern const char* const namespaces;
// Rows: oid, nspname, relname, unlogged, partition key, parent schema, parent
// name, partition bound, comment, relrowsecurity, relforcerowsecurity.
extern const char* const tables;
// Rows: child oid, parent schema, parent name: INHERITS parents, in order.
extern const char* const inheritance;
// Rows: table oid, attname, type, collation, not null, default, identity,
// generated expression, comment, identity sequence start, increment, min,
// max, cache, cycle. Columns no parent gives the table, in attnum order.
extern const char* const columns;
// The NOT NULL columns a table has from a parent (partition or INHERITS).
extern const char* const inherited_not_null;
// Rows: schema, table, name, contype, definition, validated, referenced
// schema, referenced table, comment.
extern const char* const constraints;
// Rows: schema, table, index name, pg_get_indexdef, comment.
extern const char* const indexes;
// Rows: schema, name, type, start, increment, min, max, cache, cycle,
// owning table schema, owning table, owning column, comment. Sequences that
// are not an identity column's.
extern const char* const sequences;
// Rows: oid, schema, name, materialized, pg_get_viewdef, options (without
// check_option), check_option, comment.
extern const char* const views;
// Rows: view oid, schema, relation, column ("" for the relation): what each
// view's query reads.
extern const char* const view_dependencies;
// Rows: schema, name, labels (array, in sort order), comment.
extern const char* const enums;
// Rows: schema, name, identity arguments, kind (f or p), pg_get_functiondef,
// result, comment. Functions (window functions too) and procedures.
extern const char* const functions;
// Rows: schema, table, name, pg_get_triggerdef, comment. Not internal ones,
// nor the clones on partitions.
extern const char* const triggers;
// Rows: name, schema, version, comment. plpgsql aside.
extern const char* const extensions;
// Rows: oid, schema, name, base type, collation, default, not null, comment.
// Collations a user created, with CREATE COLLATION's options.
extern const char* const collations;
extern const char* const domains;
// Rows: domain oid, constraint name, definition.
extern const char* const domain_constraints;
// Rows: schema, name, subtype, opclass, collation, canonical, subtype_diff,
// multirange type, comment.
extern const char* const ranges;
// Rows: relation oid, schema, name, comment.
extern const char* const composites;
// Rows: relation oid, name, type, collation: in attribute order.
extern const char* const composite_attributes;
// Rows: schema, table, name, permissive, command, roles, USING, WITH CHECK,
// comment.
extern const char* const policies;
// Rows: object kind, object (quoted), relation schema, relation name,
// grantee, privilege, grantable.
extern const char* const privileges;
// Rows: kind, name, definition: objects of kinds the diff does not handle yet.
extern const char* const unhandled;

}  // namespace migration_tools::catalog_queries
