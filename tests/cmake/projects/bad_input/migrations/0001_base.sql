-- migrate:revision bad000000001
-- migrate:down_revision none

-- migrate:upgrade
CREATE TABLE a (id int);
