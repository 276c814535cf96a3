-- migrate:revision 1i0000000001
-- migrate:down_revision none
-- migrate:message create orders

-- migrate:upgrade
CREATE TABLE orders (id bigint PRIMARY KEY, customer text NOT NULL);

-- migrate:downgrade
DROP TABLE orders;
