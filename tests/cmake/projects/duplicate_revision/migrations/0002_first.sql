-- migrate:revision dup000000002
-- migrate:down_revision dup000000001

-- migrate:upgrade
CREATE TABLE b (id int);
