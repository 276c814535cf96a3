-- migrate:revision 1f3a5c7e9b2d
-- migrate:down_revision none
-- migrate:message create users
-- migrate:created 2026-11-01T09:00:00Z

-- migrate:upgrade
CREATE TABLE users (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email      text NOT NULL UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- migrate:downgrade
DROP TABLE users;
