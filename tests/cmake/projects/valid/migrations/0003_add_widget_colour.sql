-- migrate:revision c0ffee000003
-- migrate:down_revision c0ffee000002
-- migrate:message add widgets.colour
-- migrate:created 2026-11-03T09:00:00Z

-- migrate:upgrade
ALTER TABLE widgets ADD COLUMN colour text NOT NULL DEFAULT 'grey';

-- migrate:downgrade
ALTER TABLE widgets DROP COLUMN colour;
