-- migrate:revision lib000000001
-- migrate:down_revision none
-- migrate:branch_labels lib
-- migrate:message create the library's tables

-- migrate:upgrade
CREATE TABLE books (id bigint PRIMARY KEY);

-- migrate:downgrade
DROP TABLE books;
