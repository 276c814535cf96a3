-- migrate:revision auth00000002
-- migrate:down_revision auth00000001
-- migrate:branch_labels accounts
-- migrate:message add accounts.name

-- migrate:upgrade
ALTER TABLE accounts ADD COLUMN name text;

-- migrate:downgrade
ALTER TABLE accounts DROP COLUMN name;
