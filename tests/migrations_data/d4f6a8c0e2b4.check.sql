-- Display names are required now, and the users kept theirs.
SELECT email FROM users WHERE display_name IS NULL;
DO $$
BEGIN
  INSERT INTO users (email) VALUES ('no.name@example.org');
  RAISE EXCEPTION 'a user without a display name was accepted';
EXCEPTION WHEN not_null_violation THEN
  NULL;  -- refused, as it must be
END
$$;
