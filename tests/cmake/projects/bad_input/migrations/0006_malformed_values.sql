-- migrate:revision bad000000006
-- migrate:down_revision bad000000001, bad000000001
-- migrate:created yesterday
-- migrate:transactional maybe

-- migrate:upgrade
SELECT 1;
