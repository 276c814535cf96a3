-- What the database should be now. Edit, then build migrate_autogenerate.
create table items (
  id bigint generated always as identity primary key,
  name text not null
);
