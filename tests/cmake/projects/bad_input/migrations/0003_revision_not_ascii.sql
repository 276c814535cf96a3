-- migrate:revision révision_3
-- migrate:down_revision bad000000001

-- migrate:upgrade
SELECT 1;
