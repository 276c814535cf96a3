// The SQL that change_capture.cpp installs (see change_capture.hpp), kept as
// one raw string so that it reads as SQL.
namespace migration_tools::change_capture_sql {

extern const char* const install;
const char* const install = R"sql(-- What the stairway test installs in its own scratch database: event triggers
-- that record which objects each transaction's DDL touched, as "units" (a
-- relation with its columns, constraints, indexes, triggers, policies, rules
-- and owned sequences; a type; a routine; a schema; an extension), and a
-- description of a unit that names no OID, so that two states of it compare
-- as text. Touches needing the whole catalog (GRANT, anything without an
-- identity) are recorded as unknown. Needs a superuser (event triggers).
CREATE SCHEMA mt_capture;
CREATE TABLE mt_capture.touched (unit text, unknown boolean NOT NULL DEFAULT false);
-- Each object seen, by its identity, and the unit that describes it: what a
-- dropped object (whose catalog rows are gone) belonged to.
CREATE TABLE mt_capture.units (identity text PRIMARY KEY, unit text NOT NULL);

-- The unit of a live relation: the table an index, a toast table or an owned
-- sequence belongs to, else the relation itself.
CREATE FUNCTION mt_capture.relation_unit(rel oid) RETURNS text
LANGUAGE sql STABLE SET search_path = pg_catalog AS $$
  SELECT 'rel:' || format('%I.%I', n.nspname, c.relname)
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE c.oid = COALESCE(
    (SELECT i.indrelid FROM pg_index i WHERE i.indexrelid = rel),
    (SELECT d.refobjid FROM pg_depend d
     WHERE d.classid = 'pg_class'::regclass AND d.objid = rel
       AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
       AND (SELECT relkind FROM pg_class WHERE oid = rel) = 'S' LIMIT 1),
    rel)
$$;

-- The unit of a live object given by its catalog address.
CREATE FUNCTION mt_capture.unit_of(classid oid, objid oid) RETURNS text
LANGUAGE plpgsql STABLE SET search_path = pg_catalog AS $$
#variable_conflict use_column
DECLARE
  related oid;
BEGIN
  IF classid = 'pg_class'::regclass THEN
    RETURN mt_capture.relation_unit(objid);
  ELSIF classid = 'pg_type'::regclass THEN
    SELECT CASE WHEN t.typrelid <> 0 THEN t.typrelid END INTO related FROM pg_type t WHERE t.oid = objid;
    IF related IS NOT NULL THEN RETURN mt_capture.relation_unit(related); END IF;
    -- An array type is described with its element type.
    SELECT e.oid INTO related FROM pg_type e WHERE e.typarray = objid;
    RETURN 'type:' || format_type(COALESCE(related, objid), NULL);
  ELSIF classid = 'pg_constraint'::regclass THEN
    SELECT CASE WHEN c.conrelid <> 0 THEN c.conrelid END, c.contypid INTO related, objid
    FROM pg_constraint c WHERE c.oid = unit_of.objid;
    IF related IS NOT NULL THEN RETURN mt_capture.relation_unit(related); END IF;
    RETURN 'type:' || format_type(objid, NULL);
  ELSIF classid = 'pg_trigger'::regclass THEN
    RETURN mt_capture.relation_unit((SELECT tgrelid FROM pg_trigger WHERE oid = objid));
  ELSIF classid = 'pg_policy'::regclass THEN
    RETURN mt_capture.relation_unit((SELECT polrelid FROM pg_policy WHERE oid = objid));
  ELSIF classid = 'pg_rewrite'::regclass THEN
    RETURN mt_capture.relation_unit((SELECT ev_class FROM pg_rewrite WHERE oid = objid));
  ELSIF classid = 'pg_attrdef'::regclass THEN
    RETURN mt_capture.relation_unit((SELECT adrelid FROM pg_attrdef WHERE oid = objid));
  ELSIF classid = 'pg_proc'::regclass THEN
    RETURN 'proc:' || objid::regprocedure::text;
  ELSIF classid = 'pg_namespace'::regclass THEN
    RETURN 'nsp:' || quote_ident((SELECT nspname FROM pg_namespace WHERE oid = objid));
  ELSIF classid = 'pg_extension'::regclass THEN
    RETURN 'ext:' || quote_ident((SELECT extname FROM pg_extension WHERE oid = objid));
  END IF;
  RETURN NULL;
END
$$;

-- Records, for a live relation, the unit of each object that hangs on it
-- (indexes, owned sequences, its row type, constraints, triggers, policies,
-- rules, defaults), so that their drop is traced back to it later, when their
-- catalog rows are gone. Run once per transaction, by take().
CREATE FUNCTION mt_capture.remember_parts(rel oid, found text) RETURNS void
LANGUAGE sql SET search_path = pg_catalog AS $$
  INSERT INTO mt_capture.units
    SELECT DISTINCT o.type || ' ' || o.identity, found
    FROM (SELECT 'pg_class'::regclass AS cl, indexrelid AS oid FROM pg_index WHERE indrelid = rel
          UNION ALL SELECT 'pg_class'::regclass, objid FROM pg_depend
            WHERE refclassid = 'pg_class'::regclass AND refobjid = rel
              AND classid = 'pg_class'::regclass AND deptype IN ('a', 'i')
          UNION ALL SELECT 'pg_type'::regclass, reltype FROM pg_class WHERE oid = rel AND reltype <> 0
          UNION ALL SELECT 'pg_type'::regclass, t.typarray FROM pg_class c JOIN pg_type t ON t.oid = c.reltype
            WHERE c.oid = rel AND t.typarray <> 0
          UNION ALL SELECT 'pg_constraint'::regclass, oid FROM pg_constraint WHERE conrelid = rel
          UNION ALL SELECT 'pg_trigger'::regclass, oid FROM pg_trigger WHERE tgrelid = rel
          UNION ALL SELECT 'pg_policy'::regclass, oid FROM pg_policy WHERE polrelid = rel
          UNION ALL SELECT 'pg_rewrite'::regclass, oid FROM pg_rewrite WHERE ev_class = rel
          UNION ALL SELECT 'pg_attrdef'::regclass, oid FROM pg_attrdef WHERE adrelid = rel) parts,
         LATERAL pg_identify_object(parts.cl, parts.oid, 0) o
  ON CONFLICT ON CONSTRAINT units_pkey DO UPDATE SET unit = EXCLUDED.unit
$$;

CREATE FUNCTION mt_capture.on_ddl() RETURNS event_trigger
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
#variable_conflict use_column
DECLARE
  r record;
  unit text;
BEGIN
  FOR r IN SELECT * FROM pg_event_trigger_ddl_commands() LOOP
    IF r.schema_name IN ('mt_capture', 'pg_toast') OR r.in_extension THEN CONTINUE; END IF;
    IF r.object_identity IS NULL OR r.objid = 0 THEN
      INSERT INTO mt_capture.touched VALUES (NULL, true);
      CONTINUE;
    END IF;
    unit := mt_capture.unit_of(r.classid, r.objid);
    IF unit IS NOT NULL THEN
      INSERT INTO mt_capture.units VALUES (r.object_type || ' ' || r.object_identity, unit)
        ON CONFLICT ON CONSTRAINT units_pkey DO UPDATE SET unit = EXCLUDED.unit;
    END IF;
    INSERT INTO mt_capture.touched VALUES (unit, unit IS NULL);
  END LOOP;
END
$$;

CREATE FUNCTION mt_capture.on_drop() RETURNS event_trigger
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
#variable_conflict use_column
DECLARE
  r record;
  unit text;
BEGIN
  FOR r IN SELECT * FROM pg_event_trigger_dropped_objects() LOOP
    IF r.is_temporary OR r.schema_name IN ('mt_capture', 'pg_toast') THEN CONTINUE; END IF;
    SELECT u.unit INTO unit FROM mt_capture.units u WHERE u.identity = r.object_type || ' ' || r.object_identity;
    IF unit IS NULL THEN
      unit := CASE
        -- A relation, or what hangs on one: its address starts with the relation's.
        WHEN r.object_type IN ('table', 'view', 'materialized view', 'sequence', 'foreign table',
                               'table column', 'table constraint', 'trigger', 'policy', 'rule',
                               'default value')
          THEN 'rel:' || format('%I.%I', r.address_names[1], r.address_names[2])
        WHEN r.object_type = 'function' OR r.object_type = 'procedure'
          THEN 'proc:' || r.object_identity
        WHEN r.object_type = 'schema' THEN 'nsp:' || r.object_identity
        WHEN r.object_type = 'extension' THEN 'ext:' || r.object_identity
      END;
    END IF;
    INSERT INTO mt_capture.touched VALUES (unit, unit IS NULL);
  END LOOP;
END
$$;

-- The description of a unit as it is now; 'absent' when it does not exist.
CREATE FUNCTION mt_capture.describe(unit text) RETURNS text
LANGUAGE plpgsql STABLE SET search_path = pg_catalog AS $$
#variable_conflict use_column
DECLARE
  kind text := split_part(unit, ':', 1);
  name text := substr(unit, length(split_part(unit, ':', 1)) + 2);
  id oid;
  out text;
BEGIN
  IF kind = 'rel' THEN
    id := to_regclass(name);
    IF id IS NULL THEN RETURN 'absent'; END IF;
    SELECT concat_ws(E'\n',
      c.relkind, c.relpersistence, c.relowner::regrole, c.relacl, c.reloptions, c.relrowsecurity,
      c.relforcerowsecurity, c.relreplident, pg_get_expr(c.relpartbound, c.oid),
      pg_get_partkeydef(c.oid), obj_description(c.oid, 'pg_class'),
      CASE WHEN c.relkind IN ('v', 'm') THEN pg_get_viewdef(c.oid) END,
      (SELECT string_agg(inhparent::regclass::text, ',' ORDER BY inhseqno) FROM pg_inherits WHERE inhrelid = c.oid),
      (SELECT string_agg(concat_ws(' ', quote_ident(a.attname), format_type(a.atttypid, a.atttypmod),
                                   a.attnotnull, a.attidentity, a.attgenerated, a.attislocal,
                                   a.attcollation::regcollation, pg_get_expr(d.adbin, d.adrelid),
                                   a.attacl, a.attoptions, col_description(c.oid, a.attnum)),
                         E'\n' ORDER BY a.attname)
       FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
       WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped),
      (SELECT string_agg(concat_ws(' ', quote_ident(conname), pg_get_constraintdef(oid), convalidated,
                                   condeferrable, condeferred, obj_description(oid, 'pg_constraint')),
                         E'\n' ORDER BY conname)
       FROM pg_constraint WHERE conrelid = c.oid),
      (SELECT string_agg(concat_ws(' ', pg_get_indexdef(i.indexrelid), i.indisvalid,
                                   obj_description(i.indexrelid, 'pg_class')), E'\n' ORDER BY 1)
       FROM pg_index i WHERE i.indrelid = c.oid),
      (SELECT string_agg(concat_ws(' ', pg_get_triggerdef(oid), tgenabled), E'\n' ORDER BY tgname)
       FROM pg_trigger WHERE tgrelid = c.oid AND NOT tgisinternal),
      (SELECT string_agg(concat_ws(' ', quote_ident(polname), polcmd, polpermissive, polroles::regrole[]::text,
                                   pg_get_expr(polqual, polrelid), pg_get_expr(polwithcheck, polrelid)),
                         E'\n' ORDER BY polname)
       FROM pg_policy WHERE polrelid = c.oid),
      (SELECT string_agg(pg_get_ruledef(oid), E'\n' ORDER BY rulename)
       FROM pg_rewrite WHERE ev_class = c.oid AND rulename <> '_RETURN'),
      (SELECT string_agg(concat_ws(' ', seqrelid::regclass, seqtypid::regtype, seqstart, seqincrement,
                                   seqmax, seqmin, seqcache, seqcycle), E'\n' ORDER BY 1)
       FROM pg_sequence WHERE seqrelid = c.oid OR seqrelid IN (
         SELECT objid FROM pg_depend WHERE refclassid = 'pg_class'::regclass AND refobjid = c.oid
           AND classid = 'pg_class'::regclass AND deptype IN ('a', 'i'))))
    INTO out FROM pg_class c WHERE c.oid = id;
  ELSIF kind = 'type' THEN
    id := to_regtype(name);
    IF id IS NULL THEN RETURN 'absent'; END IF;
    SELECT concat_ws(E'\n', t.typtype, t.typowner::regrole, t.typacl, format_type(t.typbasetype, t.typtypmod),
      t.typnotnull, t.typdefault, t.typcollation::regcollation, obj_description(t.oid, 'pg_type'),
      (SELECT string_agg(quote_literal(enumlabel), ',' ORDER BY enumsortorder) FROM pg_enum WHERE enumtypid = t.oid),
      (SELECT concat_ws(' ', rngsubtype::regtype, rngcollation::regcollation, rngsubopc, rngcanonical, rngsubdiff)
       FROM pg_range WHERE rngtypid = t.oid),
      (SELECT string_agg(concat_ws(' ', quote_ident(conname), pg_get_constraintdef(oid), convalidated), E'\n' ORDER BY conname)
       FROM pg_constraint WHERE contypid = t.oid),
      (SELECT string_agg(concat_ws(' ', quote_ident(a.attname), format_type(a.atttypid, a.atttypmod), a.attcollation::regcollation),
                         E'\n' ORDER BY a.attnum)
       FROM pg_attribute a WHERE t.typtype = 'c' AND a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped))
    INTO out FROM pg_type t WHERE t.oid = id;
  ELSIF kind = 'proc' THEN
    id := to_regprocedure(name);
    IF id IS NULL THEN RETURN 'absent'; END IF;
    SELECT concat_ws(E'\n', p.prokind, pg_get_function_result(p.oid), pg_get_function_arguments(p.oid),
      p.prosrc, p.probin, l.lanname, p.provolatile, p.proisstrict, p.prosecdef,
      p.proleakproof, p.proparallel, p.procost, p.prorows, p.proconfig, p.proowner::regrole, p.proacl,
      obj_description(p.oid, 'pg_proc'))
    INTO out FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang WHERE p.oid = id;
  ELSIF kind = 'nsp' THEN
    id := to_regnamespace(name);
    IF id IS NULL THEN RETURN 'absent'; END IF;
    SELECT concat_ws(E'\n', n.nspowner::regrole, n.nspacl, obj_description(n.oid, 'pg_namespace'))
    INTO out FROM pg_namespace n WHERE n.oid = id;
  ELSIF kind = 'ext' THEN
    SELECT concat_ws(E'\n', e.extversion, e.extnamespace::regnamespace, e.extconfig, e.extcondition)
    INTO out FROM pg_extension e WHERE quote_ident(e.extname) = name;
    IF NOT FOUND THEN RETURN 'absent'; END IF;
  ELSE
    RETURN NULL;
  END IF;
  RETURN COALESCE(out, '');
END
$$;

-- What the transaction so far touched, each unit once with its description
-- now ('absent' when gone; NULL unit: unknown), and forgets it.
CREATE FUNCTION mt_capture.take() RETURNS TABLE (unit text, description text, unknown boolean)
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
DECLARE
  r record;
  rel oid;
BEGIN
  FOR r IN WITH taken AS (DELETE FROM mt_capture.touched t RETURNING t.unit, t.unknown)
           SELECT taken.unit AS touched, bool_or(taken.unknown) AS is_unknown
           FROM taken GROUP BY taken.unit LOOP
    IF r.touched LIKE 'rel:%' THEN
      rel := to_regclass(substr(r.touched, 5));
      IF rel IS NOT NULL THEN PERFORM mt_capture.remember_parts(rel, r.touched); END IF;
    END IF;
    unit := r.touched;
    description := mt_capture.describe(r.touched);
    unknown := r.is_unknown;
    RETURN NEXT;
  END LOOP;
END
$$;

CREATE EVENT TRIGGER mt_capture_ddl ON ddl_command_end EXECUTE FUNCTION mt_capture.on_ddl();
CREATE EVENT TRIGGER mt_capture_drop ON sql_drop EXECUTE FUNCTION mt_capture.on_drop();

-- Every unit of the database now, described: where a test that starts from a
-- database with objects in it begins.
CREATE FUNCTION mt_capture.all_units() RETURNS TABLE (unit text, description text)
LANGUAGE sql SET search_path = pg_catalog AS $$
  WITH units AS (
    SELECT DISTINCT mt_capture.relation_unit(c.oid) AS unit
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f', 'c')
      AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'mt_capture', 'pg_toast')
      AND n.nspname NOT LIKE 'pg\_temp\_%' AND n.nspname NOT LIKE 'pg\_toast\_temp\_%'
      AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                      AND d.objid = c.oid AND d.deptype = 'e')
    UNION
    SELECT 'type:' || format_type(t.oid, NULL) FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
    WHERE t.typtype IN ('e', 'd', 'r', 'm', 'b') AND t.typelem = 0
      AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'mt_capture', 'pg_toast')
      AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_type'::regclass
                      AND d.objid = t.oid AND d.deptype = 'e')
    UNION
    SELECT 'proc:' || p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
    WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'mt_capture')
      AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass
                      AND d.objid = p.oid AND d.deptype = 'e')
    UNION
    SELECT 'nsp:' || quote_ident(n.nspname) FROM pg_namespace n
    WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'mt_capture', 'pg_toast')
      AND n.nspname NOT LIKE 'pg\_temp\_%' AND n.nspname NOT LIKE 'pg\_toast\_temp\_%'
    UNION
    SELECT 'ext:' || quote_ident(e.extname) FROM pg_extension e)
  SELECT u.unit, mt_capture.describe(u.unit) FROM units u
$$;
)sql";

}  // namespace migration_tools::change_capture_sql
