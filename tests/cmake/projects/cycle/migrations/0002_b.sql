-- migrate:revision cyc00000000b
-- migrate:down_revision cyc00000000a

-- migrate:upgrade
CREATE TABLE b (id int);
