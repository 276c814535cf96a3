-- migrate:revision base00000001
-- migrate:down_revision none
-- migrate:message base

-- migrate:upgrade
CREATE TABLE customers (id bigint PRIMARY KEY);

-- migrate:downgrade
DROP TABLE customers;
