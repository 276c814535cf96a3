-- migrate:revision c0115e000001
-- migrate:down_revision none
-- migrate:message create notes

-- migrate:upgrade
CREATE TABLE notes (id bigint PRIMARY KEY, body text NOT NULL);

-- migrate:downgrade
DROP TABLE notes;
