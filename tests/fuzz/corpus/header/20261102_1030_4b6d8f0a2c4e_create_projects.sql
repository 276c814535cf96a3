-- migrate:revision 4b6d8f0a2c4e
-- migrate:down_revision 1f3a5c7e9b2d
-- migrate:message create projects
-- migrate:created 2026-11-02T10:30:00Z

-- migrate:upgrade
CREATE TABLE projects (
    id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    owner_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name     text NOT NULL,
    UNIQUE (owner_id, name)
);
CREATE INDEX projects_owner_id_idx ON projects (owner_id);

-- migrate:downgrade
DROP TABLE projects;
