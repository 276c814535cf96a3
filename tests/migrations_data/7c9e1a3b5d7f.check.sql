-- Each query must return no rows. At 7c9e1a3b5d7f (also after the backfill's
-- downgrade) both users are there.
SELECT count(*) AS users FROM users HAVING count(*) <> 2;
