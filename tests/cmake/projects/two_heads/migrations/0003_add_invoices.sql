-- migrate:revision invoices0003
-- migrate:down_revision base00000001
-- migrate:message add invoices

-- migrate:upgrade
CREATE TABLE invoices (id bigint PRIMARY KEY);

-- migrate:downgrade
DROP TABLE invoices;
