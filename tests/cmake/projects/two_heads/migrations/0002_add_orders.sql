-- migrate:revision orders000002
-- migrate:down_revision base00000001
-- migrate:message add orders

-- migrate:upgrade
CREATE TABLE orders (id bigint PRIMARY KEY);

-- migrate:downgrade
DROP TABLE orders;
