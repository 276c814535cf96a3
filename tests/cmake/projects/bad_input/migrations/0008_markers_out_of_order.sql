-- migrate:revision bad000000008
-- migrate:down_revision bad000000001

-- migrate:downgrade
DROP TABLE c;
-- migrate:upgrade
CREATE TABLE c (id int);
-- migrate:message too late
