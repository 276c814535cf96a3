-- migrate:revision bom
-- migrate:down_revision a, b c
-- migrate:branch_labels x
-- migrate:depends_on y
-- migrate:transactional false
-- migrate:created 2026-11-22T10:00:00.5+01:00
-- migrate:upgrade
CREATE INDEX CONCURRENTLY i ON t (c);
-- migrate:downgrade
