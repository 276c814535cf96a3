-- migrate:revision auth00000003
-- migrate:down_revision auth00000002
-- migrate:message add accounts.email

-- migrate:upgrade
ALTER TABLE accounts ADD COLUMN email text;

-- migrate:downgrade
ALTER TABLE accounts DROP COLUMN email;
