-- migrate:message a revision id with a quote and a space
-- migrate:revision bad'0000 5
-- migrate:down_revision bad000000001

-- migrate:upgrade
SELECT 1;
