CREATE TABLE "semi;colon" (id int); -- trailing; comment
/* block /* nested; */ still comment; */ INSERT INTO t VALUES ('it''s; fine', E'back\'slash;');
CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $body$ BEGIN RETURN 1; END; $body$;
CREATE FUNCTION g() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT CASE WHEN true THEN 2 END; END;
CREATE RULE r AS ON INSERT TO t DO ALSO (NOTIFY a; NOTIFY b);
SELECT $$dollar; quoted$$, $a$ $b$ ; $a$
