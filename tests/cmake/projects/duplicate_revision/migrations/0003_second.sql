-- Copied from 0002 and not given a new revision.
-- migrate:revision dup000000002
-- migrate:down_revision dup000000001

-- migrate:upgrade
CREATE TABLE c (id int);
