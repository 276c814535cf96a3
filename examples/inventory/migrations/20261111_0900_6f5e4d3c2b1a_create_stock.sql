-- migrate:revision 6f5e4d3c2b1a
-- migrate:down_revision 0a1b2c3d4e5f
-- migrate:message create stock levels
-- migrate:created 2026-11-11T09:00:00Z

-- migrate:upgrade
CREATE TABLE inventory.stock (
    warehouse_id int NOT NULL REFERENCES inventory.warehouses (id),
    sku          text NOT NULL,
    quantity     int NOT NULL CHECK (quantity >= 0),
    PRIMARY KEY (warehouse_id, sku)
);

-- migrate:downgrade
DROP TABLE inventory.stock;
