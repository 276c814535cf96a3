-- migrate:down_revision bad000000001
-- migrate:revison bad000000009

-- migrate:upgrade
SELECT 1;
