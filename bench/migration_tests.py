"""The migration tests' benchmark (bench/migration_tests.sh runs it): for each
size N, a project of N linear migrations (bench/autogenerate.py's tables: one
table with an identity key, a foreign key to the one before, an index, a
trigger function and its trigger; the downgrade drops them). Times, median of
--runs, in one process, on the same cluster:

  upgrade   `bench --url URL upgrade` into a fresh database (the reference);
  test upgrade   `bench test upgrade` (its own scratch database, one
            migration at a time);
  stairway  `bench test stairway`: each revision upgraded, then downgraded
            inside a transaction that is rolled back, what each step touched
            compared (event triggers, the scratch role being a superuser).
"""
import argparse
import os
import re
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from autogenerate import table_sql  # noqa: E402


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def run(argv, env=None, stdout=subprocess.DEVNULL):
    r = subprocess.run(argv, env=env, stdout=stdout, stderr=subprocess.PIPE, text=True)
    if r.returncode != 0:
        sys.exit(f"migration_tests.py: {' '.join(argv)} exited {r.returncode}:\n{r.stderr}")
    return r


def write_if_changed(path, text):
    if not os.path.exists(path) or open(path).read() != text:
        with open(path, "w") as f:
            f.write(text)


def generate(project, n):
    os.makedirs(f"{project}/migrations", exist_ok=True)
    write_if_changed(f"{project}/CMakeLists.txt",
                     "cmake_minimum_required(VERSION 3.18)\nproject(migration_tests_bench LANGUAGES CXX)\n"
                     "find_package(MigrationTools CONFIG REQUIRED)\nadd_migrations(bench)\n")
    previous = "none"
    for i in range(1, n + 1):
        write_if_changed(f"{project}/migrations/{i:05d}_t{i:05d}.sql",
                         f"-- migrate:revision r{i:05d}\n-- migrate:down_revision {previous}\n\n"
                         f"-- migrate:upgrade\n{table_sql(i, False)}\n-- migrate:downgrade\n"
                         f"DROP TABLE t{i:05d};\nDROP FUNCTION t{i:05d}_clean();\n")
        previous = f"r{i:05d}"


def main():
    p = argparse.ArgumentParser()
    for a in ("--work", "--pg-dir", "--cluster", "--package", "--readme"):
        p.add_argument(a)
    p.add_argument("--sizes", default="1000,10000")
    p.add_argument("--runs", type=int, default=3)
    a = p.parse_args()

    def url(db):
        return run([a.cluster, "url", a.pg_dir, db], stdout=subprocess.PIPE).stdout.strip()

    admin = url("postgres")

    def fresh(db):
        run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", admin,
             "-c", f"DROP DATABASE IF EXISTS {db} WITH (FORCE)", "-c", f"CREATE DATABASE {db}"])
        return url(db)

    rows = []
    for n in (int(x) for x in a.sizes.split(",")):
        project, build = f"{a.work}/project-{n}", f"{a.work}/build-{n}"
        log(f"{n} migrations: generating and building the runner")
        generate(project, n)
        run(["cmake", "-S", project, "-B", build, "-G", "Ninja", "-DCMAKE_BUILD_TYPE=Release",
             f"-DCMAKE_PREFIX_PATH={a.package}"])
        run(["cmake", "--build", build])
        runner = f"{build}/bench"
        env = dict(os.environ, MIGRATE_NO_DEV_DB="1")
        runs = a.runs
        figures = {"upgrade": [], "test upgrade": [], "stairway": []}
        for _ in range(runs):
            # One round: the three one after the other, so that a change of the
            # machine's load hits them alike.
            target = fresh("bench_target")
            start = time.perf_counter()
            run([runner, "-q", "--url", target, "upgrade"], env=env)
            figures["upgrade"].append(time.perf_counter() - start)
            for name, kind in (("test upgrade", "upgrade"), ("stairway", "stairway")):
                start = time.perf_counter()
                out = run([runner, "--dev-url", admin, "--color", "never", "test", kind], env=env,
                          stdout=subprocess.PIPE).stdout
                figures[name].append(time.perf_counter() - start)
                if "passed" not in out:
                    sys.exit(f"migration_tests.py: test {kind} did not pass:\n{out}")
        med = {k: statistics.median(v) for k, v in figures.items()}
        # The ratio of each round, then their median: a change of the
        # machine's load between rounds does not skew it.
        med["ratio"] = statistics.median(s / u for s, u in zip(figures["stairway"], figures["upgrade"]))
        log(f"{n}: " + ", ".join(f"{k} {v:.2f}" for k, v in med.items()))
        rows.append((n, runs, med))

    table = ["N linear migrations, each a table (identity key, foreign key to the one before, an index), "
             "its trigger function and its trigger; the downgrade drops them. Median of the runs given, "
             "each round running the three one after the other; the ratio is the median of the rounds' "
             "ratios.", "",
             "| migrations | runs | upgrade (reference) | `test upgrade` | `test stairway` | stairway / upgrade "
             "| per revision | goal: ≤ 3x at 1,000 |",
             "|---:|---:|---:|---:|---:|---:|---:|---|"]
    for n, runs, med in rows:
        ratio = med["ratio"]
        goal = ("met" if ratio <= 3 else "**missed**") if n == 1000 else "–"
        table.append(f"| {n:,} | {runs} | {med['upgrade']:.2f} s | {med['test upgrade']:.2f} s | "
                     f"{med['stairway']:.2f} s | {ratio:.2f}x | {med['stairway'] / n * 1000:.2f} ms | {goal} |")
    text = "\n".join(table)
    print(text)
    if a.readme:
        readme = open(a.readme).read()
        block = f"<!-- migration-tests:begin -->\n{text}\n<!-- migration-tests:end -->"
        if "<!-- migration-tests:begin -->" not in readme:
            sys.exit("migration_tests.py: bench/README.md has no migration-tests block")
        readme = re.sub(r"<!-- migration-tests:begin -->.*<!-- migration-tests:end -->", lambda m: block,
                        readme, flags=re.S)
        with open(a.readme, "w") as f:
            f.write(readme)


if __name__ == "__main__":
    main()
