-- migrate:revision bad-000000002
-- migrate:down_revision bad000000001

-- migrate:upgrade
SELECT 1;
