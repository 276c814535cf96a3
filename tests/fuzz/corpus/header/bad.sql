-- migrate:revision
-- migrate:unknown x
SELECT 1;
