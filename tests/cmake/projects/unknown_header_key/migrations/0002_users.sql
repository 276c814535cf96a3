-- migrate:revision unk000000002
-- migrate:down_revision unk000000001
-- migrate:message add users
-- migrate:author jane

-- migrate:upgrade
CREATE TABLE users (id int);
