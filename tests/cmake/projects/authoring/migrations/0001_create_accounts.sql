-- migrate:revision auth00000001
-- migrate:down_revision none
-- migrate:message create accounts

-- migrate:upgrade
CREATE TABLE accounts (id bigint PRIMARY KEY);

-- migrate:downgrade
DROP TABLE accounts;
