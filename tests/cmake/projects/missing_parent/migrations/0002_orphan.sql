-- migrate:revision mis000000002
-- migrate:message its parent was never committed
-- migrate:down_revision deadbeef0000

-- migrate:upgrade
CREATE TABLE b (id int);
