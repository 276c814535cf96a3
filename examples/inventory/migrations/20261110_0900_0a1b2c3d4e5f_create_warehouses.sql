-- migrate:revision 0a1b2c3d4e5f
-- migrate:down_revision none
-- migrate:message create warehouses
-- migrate:created 2026-11-10T09:00:00Z

-- migrate:upgrade
CREATE SCHEMA IF NOT EXISTS inventory;
CREATE TABLE inventory.warehouses (
    id   int GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name text NOT NULL UNIQUE
);

-- migrate:downgrade
DROP TABLE inventory.warehouses;
