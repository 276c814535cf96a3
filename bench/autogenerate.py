"""Autogenerate's benchmark (bench/autogenerate.sh runs it): for each size N
(default 75 and 1,000), a project of N migrations, one table each with its
trigger function and trigger, and a declared schema of the same N tables with
changes on every tenth (a type, a column, a partial index, a function body),
10 new tables and 5 dropped. Times, median of --runs, in one process, against
references run on the same machine:

  cold     `migrate diff` with nothing kept (the history replayed on the
           scratch server while the declared schema loads beside it),
           against psql applying the same history in one transaction;
  warm     `migrate diff` once both states are kept on the scratch server
           (what a developer sees on the second run), against migra on the
           two states already loaded;
  inspect  `migrate diff URL_A URL_B` of two databases already loaded (catalog
           inspection and diff alone), against migra on the same two.
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def run(argv, env=None, cwd=None, stdout=subprocess.DEVNULL):
    r = subprocess.run(argv, env=env, cwd=cwd, stdout=stdout, stderr=subprocess.PIPE, text=True)
    if r.returncode != 0:
        sys.exit(f"autogenerate.py: {' '.join(argv)} exited {r.returncode}:\n{r.stderr}")
    return r


def timed(argv, runs, env=None, before=None):
    times = []
    for _ in range(runs):
        if before:
            before()
        start = time.perf_counter()
        run(argv, env=env)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def table_sql(i, changed):
    ref = f",\n    parent bigint REFERENCES t{i - 1:05d}" if i > 1 else ""
    name = "varchar(200)" if changed else "text"
    note = ",\n    note text" if changed else ""
    clean = "lower(trim(NEW.name))" if changed else "trim(NEW.name)"
    sql = (f"CREATE TABLE t{i:05d} (\n    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n"
           f"    name {name} NOT NULL,\n    created_at timestamptz NOT NULL DEFAULT now(){ref}{note}\n);\n"
           f"CREATE INDEX t{i:05d}_name ON t{i:05d} (name);\n"
           # A function and a trigger per table: what real schemas hold beside tables.
           f"CREATE FUNCTION t{i:05d}_clean() RETURNS trigger LANGUAGE plpgsql AS\n"
           f"$$BEGIN NEW.name := {clean}; RETURN NEW; END$$;\n"
           f"CREATE TRIGGER t{i:05d}_clean BEFORE INSERT OR UPDATE ON t{i:05d}\n"
           f"    FOR EACH ROW EXECUTE FUNCTION t{i:05d}_clean();\n")
    if changed:
        sql += f"CREATE INDEX t{i:05d}_created ON t{i:05d} (created_at) WHERE note IS NOT NULL;\n"
    return sql


def generate(project, repo, n):
    os.makedirs(f"{project}/migrations", exist_ok=True)
    os.makedirs(f"{project}/schema", exist_ok=True)
    with open(f"{project}/CMakeLists.txt", "w") as f:
        f.write("cmake_minimum_required(VERSION 3.18)\nproject(autogenerate_bench LANGUAGES CXX)\n"
                "set(MIGRATION_TOOLS_TESTS OFF CACHE BOOL \"\" FORCE)\n"
                "set(MIGRATION_TOOLS_DEMO OFF CACHE BOOL \"\" FORCE)\n"
                f"add_subdirectory({repo} migration_tools)\nadd_migrations(migrate)\n")
    history = []
    previous = "none"
    for i in range(1, n + 1):
        body = table_sql(i, False)
        history.append(body)
        path = f"{project}/migrations/{i:05d}_t{i:05d}.sql"
        text = (f"-- migrate:revision r{i:05d}\n-- migrate:down_revision {previous}\n\n"
                f"-- migrate:upgrade\n{body}\n-- migrate:downgrade\nDROP TABLE t{i:05d};\n"
                f"DROP FUNCTION t{i:05d}_clean();\n")
        if not os.path.exists(path) or open(path).read() != text:
            with open(path, "w") as f:
                f.write(text)
        previous = f"r{i:05d}"
    declared = [table_sql(i, i % 10 == 0) for i in range(1, n - 4)]  # the last 5 dropped
    declared += [table_sql(n + i, False).replace(f"REFERENCES t{n + i - 1:05d}", "REFERENCES t00001")
                 for i in range(1, 11)]
    schema = "".join(declared)
    path = f"{project}/schema/tables.sql"
    if not os.path.exists(path) or open(path).read() != schema:
        with open(path, "w") as f:
            f.write(schema)
    with open(f"{project}/history.sql", "w") as f:
        f.write("".join(history))
    with open(f"{project}/declared.sql", "w") as f:
        f.write(schema)


def measure(a, n, admin, url, psql, fresh):
    """The figures for one size: a project of its own, its runner built."""
    project, build = f"{a.work}/project-{n}", f"{a.work}/build-{n}"

    def drop_cache():
        out = psql(admin, "-tAc", "SELECT datname FROM pg_database WHERE datname LIKE 'mt\\_head\\_%' "
                   "OR datname LIKE 'mt\\_declared\\_%'", stdout=subprocess.PIPE).stdout.split()
        for db in out:
            psql(admin, "-c", f'DROP DATABASE "{db}" WITH (FORCE)')

    log(f"generating {n} migrations and a declared schema of as many tables")
    generate(project, a.repo, n)
    log("building the runner (Release)")
    run(["cmake", "-S", project, "-B", build, "-G", "Ninja", "-DCMAKE_BUILD_TYPE=Release"])
    run(["cmake", "--build", build, "--target", "migrate"])
    migrate = f"{build}/migrate"
    env = dict(os.environ, MIGRATE_DEV_URL=admin)
    env.pop("DATABASE_URL", None)

    # The states compared by `inspect` and by migra, loaded once.
    head_url, declared_url = fresh("bench_head"), fresh("bench_declared")
    psql(head_url, "-1", "-f", f"{project}/history.sql")
    psql(declared_url, "-1", "-f", f"{project}/declared.sql")
    # Both tools must see a difference, or the timing says nothing.
    ours = run([migrate, "-q", "--format", "json", "diff", head_url, declared_url], env=env,
               stdout=subprocess.PIPE).stdout
    theirs = run([a.migra, head_url, declared_url, "--unsafe"], stdout=subprocess.PIPE).stdout
    ours_n = len(json.loads(ours)["statements"])
    theirs_n = len([l for l in theirs.splitlines() if l.rstrip().endswith(";")])
    log(f"statements: ours {ours_n} (with hazards, rename hints and a downgrade on demand), migra {theirs_n}")

    log("timing psql applying the history")
    psql_s = timed(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-1", "-f", f"{project}/history.sql",
                    url("bench_psql")], a.runs, before=lambda: fresh("bench_psql"))
    log("timing the cold diff (nothing cached)")
    cold_s = timed([migrate, "-q", "diff"], a.runs, env=env, before=drop_cache)
    log("timing the warm diff (both states kept)")
    run([migrate, "-q", "diff"], env=env)
    warm_s = timed([migrate, "-q", "diff"], a.runs, env=env)
    log("timing inspection and diff of two loaded databases, ours and migra's")
    inspect_s = timed([migrate, "-q", "diff", head_url, declared_url], a.runs, env=env)
    migra_s = timed([a.migra, head_url, declared_url, "--unsafe"], a.runs)
    drop_cache()
    return [
        (n, "cold: `migrate diff`, nothing kept", cold_s, f"psql applying the history: {psql_s:.2f} s",
         f"{cold_s - psql_s:+.2f} s", "at most psql + 1 s", cold_s <= psql_s + 1.0),
        (n, "warm: `migrate diff`, both states kept", warm_s, f"migra on the two loaded databases: {migra_s:.2f} s",
         f"{warm_s / migra_s:.2f}x", "at most 0.3x migra", warm_s <= 0.3 * migra_s),
        (n, "inspection and diff of two loaded databases", inspect_s, f"migra: {migra_s:.2f} s",
         f"{inspect_s / migra_s:.2f}x", "at most 0.3x migra", inspect_s <= 0.3 * migra_s),
    ], (ours_n, theirs_n)


def main():
    p = argparse.ArgumentParser()
    for a in ("--repo", "--work", "--pg-dir", "--cluster", "--migra", "--readme"):
        p.add_argument(a)
    p.add_argument("--tables", default="75,1000")
    p.add_argument("--runs", type=int, default=5)
    a = p.parse_args()

    def url(db):
        return run([a.cluster, "url", a.pg_dir, db], stdout=subprocess.PIPE).stdout.strip()

    admin = url("postgres")

    def psql(db_url, *args, stdout=subprocess.DEVNULL):
        return run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", db_url, *args], stdout=stdout)

    def fresh(db):
        psql(admin, "-c", f"DROP DATABASE IF EXISTS {db} WITH (FORCE)", "-c", f"CREATE DATABASE {db}")
        return url(db)

    rows, counts = [], []
    for n in (int(x) for x in a.tables.split(",")):
        r, c = measure(a, n, admin, url, psql, fresh)
        rows += r
        counts.append(f"{n:,} tables: ours {c[0]}, migra {c[1]}")

    table = [f"N migrations (one table, its function and its trigger each) and a declared schema of N tables "
             f"(every tenth changed, 10 added, 5 dropped); median of {a.runs} runs; statements written: "
             + "; ".join(counts) + ".", "",
             "| tables | figure | ours | reference | ratio | goal | met |", "|---|---|---|---|---|---|---|"]
    for n, name, s, ref, ratio, goal, met in rows:
        table.append(f"| {n:,} | {name} | {s:.2f} s | {ref} | {ratio} | {goal} | {'yes' if met else 'no'} |")
    text = "\n".join(table)
    print(text)
    if a.readme:
        readme = open(a.readme).read()
        block = f"<!-- autogenerate:begin -->\n{text}\n<!-- autogenerate:end -->"
        readme = re.sub(r"<!-- autogenerate:begin -->.*<!-- autogenerate:end -->", lambda m: block,
                        readme, flags=re.S)
        with open(a.readme, "w") as f:
            f.write(readme)


if __name__ == "__main__":
    main()
