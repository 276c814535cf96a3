-- migrate:revision bad000000007
-- migrate:down_revision bad000000001
CREATE TABLE b (id int);
