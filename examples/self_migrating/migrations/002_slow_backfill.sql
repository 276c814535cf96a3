-- migrate:revision b2c3d4e5f6a7
-- migrate:down_revision a1b2c3d4e5f6
-- migrate:message seed the welcome note

-- migrate:upgrade
-- Slow on purpose (half a second), so that two instances started together
-- overlap: the second waits for the first's lock, then finds nothing to do.
SELECT pg_catalog.pg_sleep(0.5);
INSERT INTO notes (body) VALUES ('welcome');

-- migrate:downgrade
DELETE FROM notes WHERE body = 'welcome';
