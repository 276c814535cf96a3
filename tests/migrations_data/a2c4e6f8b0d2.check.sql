-- The backfill wrote the display names from the e-mail addresses.
SELECT email, display_name
FROM users
WHERE display_name IS DISTINCT FROM
      CASE email WHEN 'jane.doe@example.org' THEN 'Jane Doe' WHEN 'bob@example.org' THEN 'Bob' END;
