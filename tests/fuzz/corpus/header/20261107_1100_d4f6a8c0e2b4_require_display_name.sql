-- migrate:revision d4f6a8c0e2b4
-- migrate:down_revision a2c4e6f8b0d2
-- migrate:message require users.display_name
-- migrate:created 2026-11-07T11:00:00Z

-- migrate:upgrade
ALTER TABLE users ALTER COLUMN display_name SET NOT NULL;
CREATE INDEX users_display_name_idx ON users (lower(display_name));

-- migrate:downgrade
DROP INDEX users_display_name_idx;
ALTER TABLE users ALTER COLUMN display_name DROP NOT NULL;
