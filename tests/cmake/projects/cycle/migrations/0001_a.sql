-- migrate:revision cyc00000000a
-- migrate:down_revision cyc00000000c

-- migrate:upgrade
CREATE TABLE a (id int);
