"""Autogenerate's benchmark (bench/autogenerate.sh runs it): a project of N
migrations, one table each, and a declared schema of the same N tables with
changes on every tenth, a few new tables and a few dropped. Times, median of
--runs, in one process, against references run on the same machine:

  cold     `migrate diff` with nothing cached (the history replayed on the
           scratch server while the declared schema loads beside it),
           against psql applying the same history in one transaction;
  cached   `migrate diff` once the head state is kept, against psql loading
           the declared schema alone (what PostgreSQL itself needs for it);
  inspect  `migrate diff URL_A URL_B` of two databases already loaded (catalog
           inspection and diff alone, both states on the server), against
           migra on the same two databases.
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
    sql = (f"CREATE TABLE t{i:05d} (\n    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n"
           f"    name {name} NOT NULL,\n    created_at timestamptz NOT NULL DEFAULT now(){ref}{note}\n);\n"
           f"CREATE INDEX t{i:05d}_name ON t{i:05d} (name);\n")
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
                f"-- migrate:upgrade\n{body}\n-- migrate:downgrade\nDROP TABLE t{i:05d};\n")
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


def main():
    p = argparse.ArgumentParser()
    for a in ("--repo", "--work", "--pg-dir", "--cluster", "--migra", "--readme"):
        p.add_argument(a)
    p.add_argument("--tables", type=int, default=1000)
    p.add_argument("--runs", type=int, default=5)
    a = p.parse_args()
    project, build = f"{a.work}/project", f"{a.work}/build"

    def url(db):
        return run([a.cluster, "url", a.pg_dir, db], stdout=subprocess.PIPE).stdout.strip()

    admin = url("postgres")

    def psql(db_url, *args, stdout=subprocess.DEVNULL):
        return run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", db_url, *args], stdout=stdout)

    def fresh(db):
        psql(admin, "-c", f"DROP DATABASE IF EXISTS {db} WITH (FORCE)", "-c", f"CREATE DATABASE {db}")
        return url(db)

    def drop_cache():
        out = psql(admin, "-tAc", "SELECT datname FROM pg_database WHERE datname LIKE 'mt\\_head\\_%'",
                   stdout=subprocess.PIPE).stdout.split()
        for db in out:
            psql(admin, "-c", f'DROP DATABASE "{db}" WITH (FORCE)')

    log(f"generating {a.tables} migrations and a declared schema of as many tables")
    generate(project, a.repo, a.tables)
    log("building the runner (Release)")
    run(["cmake", "-S", project, "-B", build, "-G", "Ninja", "-DCMAKE_BUILD_TYPE=Release"])
    run(["cmake", "--build", build, "--target", "migrate"])
    migrate = f"{build}/migrate"
    env = dict(os.environ, MIGRATE_DEV_URL=admin)
    env.pop("DATABASE_URL", None)

    # The states compared by `inspect`, loaded once.
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
    def history_db():
        fresh("bench_psql")
    psql_s = timed(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-1", "-f", f"{project}/history.sql",
                    url("bench_psql")], a.runs, before=history_db)
    log("timing psql loading the declared schema")
    def declared_db():
        fresh("bench_psql")
    load_s = timed(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-1", "-f", f"{project}/declared.sql",
                    url("bench_psql")], a.runs, before=declared_db)
    log("timing the cold diff (nothing cached)")
    cold_s = timed([migrate, "-q", "diff"], a.runs, env=env, before=drop_cache)
    log("timing the cached diff")
    run([migrate, "-q", "diff"], env=env)
    cached_s = timed([migrate, "-q", "diff"], a.runs, env=env)
    log("timing inspection and diff of two loaded databases, ours and migra's")
    inspect_s = timed([migrate, "-q", "diff", head_url, declared_url], a.runs, env=env)
    migra_s = timed([a.migra, head_url, declared_url, "--unsafe"], a.runs)

    n = a.tables
    rows = [
        ("cold: `migrate diff`, history replayed", cold_s, f"psql applying the history: {psql_s:.2f} s",
         f"{cold_s - psql_s:+.2f} s", "at most psql + 1 s", cold_s <= psql_s + 1.0),
        ("cached: `migrate diff`, head state kept", cached_s,
         f"psql loading the declared schema: {load_s:.2f} s", f"{cached_s - load_s:+.2f} s",
         "at most 1 s", cached_s <= 1.0),
        ("inspection and diff of two loaded databases", inspect_s, f"migra: {migra_s:.2f} s",
         f"{inspect_s / migra_s:.2f}x", "at most 0.5 s and 0.5x migra",
         inspect_s <= 0.5 and inspect_s <= 0.5 * migra_s),
    ]
    table = [f"{n:,} migrations (one table each) and a declared schema of {n:,} tables "
             f"({n // 10} changed, 10 added, 5 dropped); median of {a.runs} runs; statements "
             f"written: ours {ours_n}, migra {theirs_n}.", "",
             "| figure | ours | reference | ratio | goal | met |", "|---|---|---|---|---|---|"]
    for name, s, ref, ratio, goal, met in rows:
        table.append(f"| {name} | {s:.2f} s | {ref} | {ratio} | {goal} | {'yes' if met else 'no'} |")
    text = "\n".join(table)
    print(text)
    if a.readme:
        readme = open(a.readme).read()
        block = f"<!-- autogenerate:begin -->\n{text}\n<!-- autogenerate:end -->"
        if "<!-- autogenerate:begin -->" in readme:
            readme = re.sub(r"<!-- autogenerate:begin -->.*<!-- autogenerate:end -->", lambda m: block,
                            readme, flags=re.S)
        else:
            readme += "\n## Autogenerate\n\n`bench/autogenerate.sh`: " + __doc__.split("\n\n", 1)[1] + "\n" + block + "\n"
        with open(a.readme, "w") as f:
            f.write(readme)


if __name__ == "__main__":
    main()
