-- The declared schema of the inventory example: what its migrations build.
CREATE SCHEMA inventory;

CREATE TABLE inventory.warehouses (
    id   int GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name text NOT NULL UNIQUE
);

CREATE TABLE inventory.stock (
    warehouse_id int NOT NULL REFERENCES inventory.warehouses (id),
    sku          text NOT NULL,
    quantity     int NOT NULL CHECK (quantity >= 0),
    PRIMARY KEY (warehouse_id, sku)
);
