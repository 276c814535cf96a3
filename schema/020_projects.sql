CREATE TABLE projects (
    id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    owner_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name     text NOT NULL,
    UNIQUE (owner_id, name)
);
CREATE INDEX projects_owner_id_idx ON projects (owner_id);
