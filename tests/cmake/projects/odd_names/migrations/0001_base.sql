-- migrate:revision odd000000001
-- migrate:down_revision none

-- migrate:upgrade
CREATE TABLE odd (id int);

-- migrate:downgrade
DROP TABLE odd;
