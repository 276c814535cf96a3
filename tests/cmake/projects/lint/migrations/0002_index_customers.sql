-- migrate:revision 1i0000000002
-- migrate:down_revision 1i0000000001
-- migrate:message index customers
-- migrate:lint_ignore require-concurrent-index-deletion
-- migrate:statement_timeout 1min

-- migrate:upgrade
CREATE INDEX orders_customer ON orders (customer);

-- migrate:downgrade
DROP INDEX orders_customer;
