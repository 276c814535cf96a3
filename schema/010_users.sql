-- The declared schema of the demo: what the migrations in migrations/ build,
-- written as the database should be now (issue 11's autogenerate compares
-- the two). Files are applied in sorted path order.
CREATE TABLE users (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email        text NOT NULL UNIQUE,
    created_at   timestamptz NOT NULL DEFAULT now(),
    display_name text NOT NULL
);
CREATE INDEX users_display_name_idx ON users (lower(display_name));
