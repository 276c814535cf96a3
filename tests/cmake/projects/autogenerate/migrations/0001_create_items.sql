-- migrate:revision a0000001
-- migrate:down_revision none
-- migrate:message create items

-- migrate:upgrade
CREATE TABLE items (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name text NOT NULL
);

-- migrate:downgrade
DROP TABLE items;
