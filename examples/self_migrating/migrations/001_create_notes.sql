-- migrate:revision a1b2c3d4e5f6
-- migrate:down_revision none
-- migrate:message create notes

-- migrate:upgrade
CREATE TABLE notes (
    id   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    body text NOT NULL
);

-- migrate:downgrade
DROP TABLE notes;
