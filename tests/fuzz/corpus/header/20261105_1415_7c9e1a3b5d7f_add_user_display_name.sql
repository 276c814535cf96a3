-- migrate:revision 7c9e1a3b5d7f
-- migrate:down_revision 4b6d8f0a2c4e
-- migrate:message add users.display_name
-- migrate:created 2026-11-05T14:15:00Z

-- migrate:upgrade
ALTER TABLE users ADD COLUMN display_name text;

-- migrate:downgrade
ALTER TABLE users DROP COLUMN display_name;
