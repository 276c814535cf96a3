#include "catalog_queries.hpp"

namespace migration_tools::catalog_queries {

// A user's schema; `n` is its pg_namespace row.
#define MT_USER_NAMESPACE                                                 \
  "n.nspname <> ALL (ARRAY['pg_catalog', 'information_schema']::name[]) " \
  "AND n.nspname !~ '^pg_(toast|temp_|toast_temp_)' "
// Not an extension's member: `cls` is the catalog, `id` the object's oid.
#define MT_NOT_EXTENSION_MEMBER(cls, id)                        \
  "NOT EXISTS (SELECT FROM pg_depend e WHERE e.classid = '" cls \
  "'::regclass "                                                \
  "AND e.objid = " id " AND e.deptype = 'e') "

const char* const namespaces =
    "SELECT n.oid, n.nspname, COALESCE(obj_description(n.oid, 'pg_namespace'), '') "
    "FROM pg_namespace n WHERE " MT_USER_NAMESPACE
    "AND " MT_NOT_EXTENSION_MEMBER("pg_namespace", "n.oid") "ORDER BY n.nspname";

const char* const tables =
    "SELECT c.oid, n.nspname, c.relname, c.relpersistence = 'u', "
    "CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) ELSE '' END, "
    "COALESCE(pn.nspname, ''), COALESCE(pc.relname, ''), "
    "CASE WHEN c.relispartition THEN pg_get_expr(c.relpartbound, c.oid) ELSE '' END, "
    "COALESCE(obj_description(c.oid, 'pg_class'), ''), c.relrowsecurity, c.relforcerowsecurity "
    "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
    "LEFT JOIN pg_inherits i ON c.relispartition AND i.inhrelid = c.oid "
    "LEFT JOIN pg_class pc ON pc.oid = i.inhparent "
    "LEFT JOIN pg_namespace pn ON pn.oid = pc.relnamespace "
    "WHERE c.relkind IN ('r', 'p') AND " MT_USER_NAMESPACE
    "AND " MT_NOT_EXTENSION_MEMBER("pg_class", "c.oid") "ORDER BY n.nspname, c.relname";

const char* const inheritance =
    "SELECT i.inhrelid, pn.nspname, pc.relname FROM pg_inherits i "
    "JOIN pg_class c ON c.oid = i.inhrelid "
    "JOIN pg_class pc ON pc.oid = i.inhparent JOIN pg_namespace pn ON pn.oid = pc.relnamespace "
    "WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition ORDER BY i.inhrelid, i.inhseqno";

const char* const inherited_not_null =
    "SELECT a.attrelid, a.attname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
    "JOIN pg_namespace n ON n.oid = c.relnamespace "
    "WHERE a.attnum > 0 AND NOT a.attisdropped AND a.attinhcount > 0 AND a.attnotnull "
    "AND c.relkind IN ('r', 'p') AND " MT_USER_NAMESPACE "ORDER BY a.attrelid, a.attnum";

const char* const columns =
    "SELECT a.attrelid, a.attname, format_type(a.atttypid, a.atttypmod), "
    "CASE WHEN a.attcollation <> t.typcollation "
    "THEN quote_ident(cn.nspname) || '.' || quote_ident(co.collname) ELSE '' END, "
    "a.attnotnull, "
    "CASE WHEN a.attgenerated = '' THEN COALESCE(pg_get_expr(d.adbin, d.adrelid), '') ELSE '' END, "
    "a.attidentity, "
    "CASE WHEN a.attgenerated = 's' THEN pg_get_expr(d.adbin, d.adrelid) ELSE '' END, "
    "COALESCE(col_description(a.attrelid, a.attnum), ''), "
    "s.seqstart, s.seqincrement, s.seqmin, s.seqmax, s.seqcache, s.seqcycle "
    "FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
    "JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_type t ON t.oid = a.atttypid "
    "LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
    "LEFT JOIN pg_collation co ON co.oid = a.attcollation "
    "LEFT JOIN pg_namespace cn ON cn.oid = co.collnamespace "
    "LEFT JOIN pg_depend sd ON a.attidentity <> '' AND sd.refclassid = 'pg_class'::regclass "
    "AND sd.refobjid = a.attrelid AND sd.refobjsubid = a.attnum "
    "AND sd.classid = 'pg_class'::regclass AND sd.deptype = 'i' "
    "LEFT JOIN pg_sequence s ON s.seqrelid = sd.objid "
    "WHERE a.attnum > 0 AND NOT a.attisdropped AND a.attinhcount = 0 AND c.relkind IN ('r', 'p') "
    "AND " MT_USER_NAMESPACE "ORDER BY a.attrelid, a.attnum";

const char* const constraints =
    "SELECT n.nspname, c.relname, con.conname, con.contype, pg_get_constraintdef(con.oid), "
    "con.convalidated, COALESCE(fn.nspname, ''), COALESCE(fc.relname, ''), "
    "COALESCE(obj_description(con.oid, 'pg_constraint'), '') "
    "FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid "
    "JOIN pg_namespace n ON n.oid = c.relnamespace "
    "LEFT JOIN pg_class fc ON fc.oid = con.confrelid "
    "LEFT JOIN pg_namespace fn ON fn.oid = fc.relnamespace "
    "WHERE con.contype IN ('p', 'u', 'f', 'c', 'x') AND con.conislocal AND con.conparentid = 0 "
    "AND c.relkind IN ('r', 'p') AND " MT_USER_NAMESPACE
    "ORDER BY n.nspname, c.relname, con.conname";

const char* const indexes =
    "SELECT n.nspname, t.relname, ic.relname, pg_get_indexdef(i.indexrelid), "
    "COALESCE(obj_description(i.indexrelid, 'pg_class'), '') "
    "FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid "
    "JOIN pg_class t ON t.oid = i.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace "
    "WHERE t.relkind IN ('r', 'p', 'm') AND NOT ic.relispartition AND " MT_USER_NAMESPACE
    "AND NOT EXISTS (SELECT FROM pg_constraint con WHERE con.conindid = i.indexrelid "
    "AND con.conrelid = i.indrelid AND con.contype IN ('p', 'u', 'x')) "
    "ORDER BY n.nspname, ic.relname";

const char* const sequences =
    "SELECT n.nspname, c.relname, format_type(s.seqtypid, NULL), s.seqstart, s.seqincrement, "
    "s.seqmin, s.seqmax, s.seqcache, s.seqcycle, COALESCE(tn.nspname, ''), "
    "COALESCE(tc.relname, ''), COALESCE(ta.attname, ''), "
    "COALESCE(obj_description(c.oid, 'pg_class'), '') "
    "FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid "
    "JOIN pg_namespace n ON n.oid = c.relnamespace "
    "LEFT JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = c.oid "
    "AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i') "
    "LEFT JOIN pg_class tc ON tc.oid = d.refobjid "
    "LEFT JOIN pg_namespace tn ON tn.oid = tc.relnamespace "
    "LEFT JOIN pg_attribute ta ON ta.attrelid = d.refobjid AND ta.attnum = d.refobjsubid "
    "WHERE " MT_USER_NAMESPACE "AND " MT_NOT_EXTENSION_MEMBER(
        "pg_class",
        "c.oid") "AND (d.deptype IS NULL OR d.deptype = 'a') ORDER BY n.nspname, c.relname";

const char* const views =
    "SELECT c.oid, n.nspname, c.relname, c.relkind = 'm', pg_get_viewdef(c.oid), "
    "COALESCE((SELECT string_agg(o, ', ' ORDER BY o) FROM unnest(c.reloptions) o "
    "WHERE o !~ '^check_option='), ''), "
    "COALESCE((SELECT substr(o, 14) FROM unnest(c.reloptions) o WHERE o ~ '^check_option='), ''), "
    "COALESCE(obj_description(c.oid, 'pg_class'), '') "
    "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
    "WHERE c.relkind IN ('v', 'm') AND " MT_USER_NAMESPACE
    "AND " MT_NOT_EXTENSION_MEMBER("pg_class", "c.oid") "ORDER BY n.nspname, c.relname";

const char* const view_dependencies =
    "SELECT DISTINCT rw.ev_class, rn.nspname, r.relname, COALESCE(a.attname, '') "
    "FROM pg_rewrite rw "
    "JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = rw.oid "
    "AND d.refclassid = 'pg_class'::regclass AND d.refobjid <> rw.ev_class "
    "JOIN pg_class r ON r.oid = d.refobjid JOIN pg_namespace rn ON rn.oid = r.relnamespace "
    "LEFT JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid "
    "AND d.refobjsubid > 0 "
    "JOIN pg_class v ON v.oid = rw.ev_class WHERE v.relkind IN ('v', 'm') ORDER BY 1, 2, 3, 4";

const char* const enums =
    "SELECT n.nspname, t.typname, "
    "(SELECT array_agg(e.enumlabel ORDER BY e.enumsortorder) FROM pg_enum e "
    "WHERE e.enumtypid = t.oid), COALESCE(obj_description(t.oid, 'pg_type'), '') "
    "FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace "
    "WHERE t.typtype = 'e' AND " MT_USER_NAMESPACE
    "AND " MT_NOT_EXTENSION_MEMBER("pg_type", "t.oid") "ORDER BY n.nspname, t.typname";

const char* const functions =
    "SELECT n.nspname, p.proname, pg_get_function_identity_arguments(p.oid), "
    "CASE p.prokind WHEN 'p' THEN 'p' ELSE 'f' END, pg_get_functiondef(p.oid), "
    "COALESCE(pg_get_function_result(p.oid), ''), "
    "COALESCE(obj_description(p.oid, 'pg_proc'), ''), "
    // What it calls, as schema US name US arguments, RS between them.
    "(SELECT COALESCE(string_agg(rn.nspname || chr(31) || rp.proname || chr(31) || "
    "pg_get_function_identity_arguments(rp.oid), chr(30) ORDER BY rn.nspname, rp.proname), '') "
    "FROM pg_depend d JOIN pg_proc rp ON rp.oid = d.refobjid "
    "JOIN pg_namespace rn ON rn.oid = rp.pronamespace "
    "WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid "
    "AND d.refclassid = 'pg_proc'::regclass AND d.deptype = 'n' AND rp.oid <> p.oid) "
    "FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
    "WHERE p.prokind IN ('f', 'p', 'w') AND " MT_USER_NAMESPACE
    // Not the constructors a range type makes for itself.
    "AND NOT EXISTS (SELECT FROM pg_depend i WHERE i.classid = 'pg_proc'::regclass "
    "AND i.objid = p.oid AND i.deptype = 'i') "
    "AND " MT_NOT_EXTENSION_MEMBER("pg_proc", "p.oid") "ORDER BY 1, 2, 3";

const char* const triggers =
    "SELECT n.nspname, c.relname, tg.tgname, pg_get_triggerdef(tg.oid), "
    "COALESCE(obj_description(tg.oid, 'pg_trigger'), ''), "
    "COALESCE((SELECT string_agg(a.attname, E'\\n' ORDER BY a.attnum) FROM pg_depend d "
    "JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid "
    "WHERE d.classid = 'pg_trigger'::regclass AND d.objid = tg.oid AND d.refobjsubid > 0), '') "
    "FROM pg_trigger tg JOIN pg_class c ON c.oid = tg.tgrelid "
    "JOIN pg_namespace n ON n.oid = c.relnamespace "
    "WHERE NOT tg.tgisinternal AND tg.tgparentid = 0 AND " MT_USER_NAMESPACE "ORDER BY 1, 2, 3";

const char* const extensions =
    "SELECT x.extname, n.nspname, x.extversion, "
    "COALESCE(obj_description(x.oid, 'pg_extension'), '') "
    "FROM pg_extension x JOIN pg_namespace n ON n.oid = x.extnamespace "
    "WHERE x.extname <> 'plpgsql' ORDER BY 1";

const char* const collations =
    "SELECT n.nspname, c.collname, '(provider = ' || "
    "CASE c.collprovider WHEN 'i' THEN 'icu' ELSE 'libc' END || "
    "CASE WHEN c.collprovider = 'i' THEN ', locale = ' || quote_literal(c.colliculocale) "
    "ELSE ', lc_collate = ' || quote_literal(c.collcollate) || ', lc_ctype = ' || "
    "quote_literal(c.collctype) END || "
    "CASE WHEN c.collisdeterministic THEN '' ELSE ', deterministic = false' END || ')', "
    "COALESCE(obj_description(c.oid, 'pg_collation'), '') "
    "FROM pg_collation c JOIN pg_namespace n ON n.oid = c.collnamespace WHERE " MT_USER_NAMESPACE
    "AND " MT_NOT_EXTENSION_MEMBER("pg_collation",
                                   "c.oid") "AND c.collprovider <> 'd' ORDER BY 1, 2";

const char* const domains =
    "SELECT t.oid, n.nspname, t.typname, format_type(t.typbasetype, t.typtypmod), "
    "CASE WHEN t.typcollation <> bt.typcollation "
    "THEN quote_ident(cn.nspname) || '.' || quote_ident(co.collname) ELSE '' END, "
    "COALESCE(pg_get_expr(t.typdefaultbin, 0), ''), t.typnotnull, "
    "COALESCE(obj_description(t.oid, 'pg_type'), '') "
    "FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace "
    "JOIN pg_type bt ON bt.oid = t.typbasetype "
    "LEFT JOIN pg_collation co ON co.oid = t.typcollation "
    "LEFT JOIN pg_namespace cn ON cn.oid = co.collnamespace "
    "WHERE t.typtype = 'd' AND " MT_USER_NAMESPACE
    "AND " MT_NOT_EXTENSION_MEMBER("pg_type", "t.oid") "ORDER BY n.nspname, t.typname";

const char* const domain_constraints =
    "SELECT k.contypid, k.conname, pg_get_constraintdef(k.oid) FROM pg_constraint k "
    "WHERE k.contypid <> 0 ORDER BY 1, 2";

const char* const composites =
    "SELECT c.oid, n.nspname, t.typname, COALESCE(obj_description(t.oid, 'pg_type'), '') "
    "FROM pg_type t JOIN pg_class c ON c.oid = t.typrelid "
    "JOIN pg_namespace n ON n.oid = t.typnamespace "
    "WHERE t.typtype = 'c' AND c.relkind = 'c' AND " MT_USER_NAMESPACE
    "AND " MT_NOT_EXTENSION_MEMBER("pg_type", "t.oid") "ORDER BY n.nspname, t.typname";

const char* const composite_attributes =
    "SELECT a.attrelid, a.attname, format_type(a.atttypid, a.atttypmod), "
    "CASE WHEN a.attcollation <> t.typcollation "
    "THEN quote_ident(cn.nspname) || '.' || quote_ident(co.collname) ELSE '' END "
    "FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
    "JOIN pg_type t ON t.oid = a.atttypid "
    "LEFT JOIN pg_collation co ON co.oid = a.attcollation "
    "LEFT JOIN pg_namespace cn ON cn.oid = co.collnamespace "
    "WHERE c.relkind = 'c' AND a.attnum > 0 AND NOT a.attisdropped ORDER BY 1, a.attnum";

const char* const policies =
    "SELECT n.nspname, c.relname, p.polname, p.polpermissive, "
    "CASE p.polcmd WHEN 'r' THEN 'SELECT' WHEN 'a' THEN 'INSERT' WHEN 'w' THEN 'UPDATE' "
    "WHEN 'd' THEN 'DELETE' ELSE 'ALL' END, "
    "CASE WHEN p.polroles = '{0}'::oid[] THEN 'PUBLIC' ELSE (SELECT string_agg(quote_ident("
    "r.rolname), ', ' ORDER BY r.rolname) FROM pg_roles r WHERE r.oid = ANY (p.polroles)) END, "
    "COALESCE(pg_get_expr(p.polqual, p.polrelid), ''), "
    "COALESCE(pg_get_expr(p.polwithcheck, p.polrelid), ''), "
    "COALESCE(obj_description(p.oid, 'pg_policy'), '') "
    "FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid "
    "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE " MT_USER_NAMESPACE "ORDER BY 1, 2, 3";

// Every ACL made explicit with acldefault (a function without one may be
// executed by PUBLIC), each item exploded, the owner's own left out.
const char* const privileges =
    "SELECT CASE c.relkind WHEN 'S' THEN 'SEQUENCE' ELSE 'TABLE' END, "
    "quote_ident(n.nspname) || '.' || quote_ident(c.relname), n.nspname, c.relname, "
    "CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(r.rolname) END, "
    "a.privilege_type, a.is_grantable "
    "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace, "
    "aclexplode(COALESCE(c.relacl, acldefault((CASE c.relkind WHEN 'S' THEN 's' ELSE 'r' END)::\"char\", "
    "c.relowner))) a LEFT JOIN pg_roles r ON r.oid = a.grantee "
    "WHERE c.relkind IN ('r', 'p', 'S', 'v', 'm') AND a.grantee <> c.relowner AND "
    MT_USER_NAMESPACE "AND " MT_NOT_EXTENSION_MEMBER("pg_class", "c.oid") "UNION ALL "
    "SELECT 'SCHEMA', quote_ident(n.nspname), '', '', "
    "CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(r.rolname) END, "
    "a.privilege_type, a.is_grantable "
    "FROM pg_namespace n, aclexplode(COALESCE(n.nspacl, acldefault('n'::\"char\", n.nspowner))) a "
    "LEFT JOIN pg_roles r ON r.oid = a.grantee WHERE a.grantee <> n.nspowner AND "
    MT_USER_NAMESPACE "AND " MT_NOT_EXTENSION_MEMBER("pg_namespace", "n.oid") "UNION ALL "
    "SELECT CASE p.prokind WHEN 'p' THEN 'PROCEDURE' ELSE 'FUNCTION' END, "
    "quote_ident(n.nspname) || '.' || quote_ident(p.proname) || '(' || "
    "pg_get_function_identity_arguments(p.oid) || ')', '', '', "
    "CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(r.rolname) END, "
    "a.privilege_type, a.is_grantable "
    "FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace, "
    "aclexplode(COALESCE(p.proacl, acldefault('f'::\"char\", p.proowner))) a "
    "LEFT JOIN pg_roles r ON r.oid = a.grantee "
    "WHERE p.prokind IN ('f', 'p', 'w') AND a.grantee <> p.proowner AND " MT_USER_NAMESPACE
    "AND " MT_NOT_EXTENSION_MEMBER("pg_proc", "p.oid") "ORDER BY 1, 2, 5, 6";

const char* const ranges =
    "SELECT n.nspname, t.typname, format_type(r.rngsubtype, NULL), "
    "COALESCE((SELECT quote_ident(cn.nspname) || '.' || quote_ident(opc.opcname) "
    "FROM pg_opclass opc JOIN pg_namespace cn ON cn.oid = opc.opcnamespace "
    "WHERE opc.oid = r.rngsubopc AND NOT opc.opcdefault), ''), "
    "CASE WHEN r.rngcollation <> 0 AND r.rngcollation <> st.typcollation "
    "THEN (SELECT quote_ident(cn.nspname) || '.' || quote_ident(co.collname) "
    "FROM pg_collation co JOIN pg_namespace cn ON cn.oid = co.collnamespace "
    "WHERE co.oid = r.rngcollation) ELSE '' END, "
    "CASE WHEN r.rngcanonical <> 0 THEN r.rngcanonical::regproc::text ELSE '' END, "
    "CASE WHEN r.rngsubdiff <> 0 THEN r.rngsubdiff::regproc::text ELSE '' END, "
    "format_type(r.rngmultitypid, NULL), COALESCE(obj_description(t.oid, 'pg_type'), '') "
    "FROM pg_type t JOIN pg_range r ON r.rngtypid = t.oid "
    "JOIN pg_type st ON st.oid = r.rngsubtype "
    "JOIN pg_namespace n ON n.oid = t.typnamespace WHERE t.typtype = 'r' AND " MT_USER_NAMESPACE
    "AND " MT_NOT_EXTENSION_MEMBER("pg_type", "t.oid") "ORDER BY 1, 2";

const char* const unhandled =
    // Foreign-data wrappers and servers.
    "SELECT 'foreign data wrapper', w.fdwname, COALESCE(w.fdwoptions::text, '') "
    "FROM pg_foreign_data_wrapper w WHERE " MT_NOT_EXTENSION_MEMBER("pg_foreign_data_wrapper",
                                                                  "w.oid") "UNION ALL "
    "SELECT 'foreign server', s.srvname, COALESCE(s.srvoptions::text, '') "
    "FROM pg_foreign_server s WHERE " MT_NOT_EXTENSION_MEMBER("pg_foreign_server", "s.oid")
    "UNION ALL "
    // Foreign tables.
    "SELECT 'foreign table', n.nspname || '.' || c.relname, '' "
    "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
    "WHERE c.relkind = 'f' AND " MT_USER_NAMESPACE
    "AND " MT_NOT_EXTENSION_MEMBER("pg_class", "c.oid") "UNION ALL "

    // Aggregates.
    "SELECT 'aggregate', n.nspname || '.' || p.proname || '(' || "
    "pg_get_function_identity_arguments(p.oid) || ')', '' "
    "FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE p.prokind = 'a' AND "
    MT_USER_NAMESPACE "AND " MT_NOT_EXTENSION_MEMBER("pg_proc", "p.oid") "UNION ALL "
    // Operators, casts, rules, extended statistics, event
    // triggers, publications and text search configurations: read, and any
    // difference in them named, so that nothing changes in silence.
    "SELECT 'operator', n.nspname || '.' || o.oprname || '(' || "
    "COALESCE(format_type(o.oprleft, NULL), 'NONE') || ', ' || "
    "COALESCE(format_type(o.oprright, NULL), 'NONE') || ')', o.oprcode::regproc::text "
    "FROM pg_operator o JOIN pg_namespace n ON n.oid = o.oprnamespace WHERE "
    MT_USER_NAMESPACE "AND " MT_NOT_EXTENSION_MEMBER("pg_operator", "o.oid") "UNION ALL "
    "SELECT 'cast', format_type(c.castsource, NULL) || ' AS ' || format_type(c.casttarget, NULL), "
    "COALESCE(c.castfunc::regprocedure::text, '') || ' ' || c.castcontext::text || c.castmethod::text "
    "FROM pg_cast c WHERE c.oid >= 16384 AND " MT_NOT_EXTENSION_MEMBER("pg_cast", "c.oid")
    // A range type's own cast to its multirange is part of the type.
    "AND NOT EXISTS (SELECT FROM pg_depend i WHERE i.classid = 'pg_cast'::regclass "
    "AND i.objid = c.oid AND i.deptype = 'i') "
    "UNION ALL "
    "SELECT 'rule', n.nspname || '.' || t.relname || '.' || r.rulename, pg_get_ruledef(r.oid) "
    "FROM pg_rewrite r JOIN pg_class t ON t.oid = r.ev_class "
    "JOIN pg_namespace n ON n.oid = t.relnamespace WHERE r.rulename <> '_RETURN' AND "
    MT_USER_NAMESPACE "UNION ALL "
    "SELECT 'statistics object', n.nspname || '.' || s.stxname, pg_get_statisticsobjdef(s.oid) "
    "FROM pg_statistic_ext s JOIN pg_namespace n ON n.oid = s.stxnamespace WHERE "
    MT_USER_NAMESPACE "UNION ALL "
    "SELECT 'event trigger', et.evtname, et.evtevent || ' ' || et.evtfoid::regproc::text "
    "FROM pg_event_trigger et WHERE " MT_NOT_EXTENSION_MEMBER("pg_event_trigger", "et.oid")
    "UNION ALL "
    "SELECT 'publication', p.pubname, p.puballtables::text FROM pg_publication p UNION ALL "
    "SELECT 'text search configuration', n.nspname || '.' || c.cfgname, (SELECT p.prsname::text FROM pg_ts_parser p WHERE p.oid = c.cfgparser) "
    "FROM pg_ts_config c JOIN pg_namespace n ON n.oid = c.cfgnamespace WHERE "
    MT_USER_NAMESPACE "AND " MT_NOT_EXTENSION_MEMBER("pg_ts_config", "c.oid") "UNION ALL "
    // Default privileges.
    "SELECT 'default privilege', COALESCE(n.nspname, '') || ' ' || d.defaclobjtype::text, "
    "d.defaclacl::text FROM pg_default_acl d LEFT JOIN pg_namespace n "
    "ON n.oid = d.defaclnamespace UNION ALL "
    // Privileges on single columns.
    "SELECT 'column privilege', n.nspname || '.' || c.relname || '.' || a.attname, "
    "a.attacl::text FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
    "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE a.attacl IS NOT NULL AND "
    MT_USER_NAMESPACE "ORDER BY 1, 2";

#undef MT_USER_NAMESPACE
#undef MT_NOT_EXTENSION_MEMBER

}  // namespace migration_tools::catalog_queries
