-- The schema the migrations of migrate make, written by 'migrate dump'.
CREATE TABLE public.projects (
    id bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
    owner_id bigint NOT NULL,
    name text NOT NULL
);
CREATE TABLE public.users (
    id bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
    email text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    display_name text NOT NULL
);
ALTER TABLE public.projects ADD CONSTRAINT projects_owner_id_name_key UNIQUE (owner_id, name);
ALTER TABLE public.projects ADD CONSTRAINT projects_pkey PRIMARY KEY (id);
ALTER TABLE public.users ADD CONSTRAINT users_email_key UNIQUE (email);
ALTER TABLE public.users ADD CONSTRAINT users_pkey PRIMARY KEY (id);
CREATE INDEX projects_owner_id_idx ON public.projects USING btree (owner_id);
CREATE INDEX users_display_name_idx ON public.users USING btree (lower(display_name));
ALTER TABLE public.projects ADD CONSTRAINT projects_owner_id_fkey FOREIGN KEY (owner_id) REFERENCES public.users(id) ON DELETE CASCADE;
