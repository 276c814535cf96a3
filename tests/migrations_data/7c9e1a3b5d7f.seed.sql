-- Two users before the display names exist (the database is at 7c9e1a3b5d7f).
INSERT INTO users (email) VALUES ('jane.doe@example.org'), ('bob@example.org');
