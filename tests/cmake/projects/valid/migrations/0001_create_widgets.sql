-- migrate:revision c0ffee000001
-- migrate:down_revision none
-- migrate:message create widgets
-- migrate:created 2026-11-01T09:00:00Z

-- migrate:upgrade
CREATE TABLE widgets (
    id   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name text NOT NULL UNIQUE
);

-- migrate:downgrade
DROP TABLE widgets;
