-- migrate:revision cyc00000000c
-- migrate:down_revision cyc00000000b

-- migrate:upgrade
CREATE TABLE c (id int);
