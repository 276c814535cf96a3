"""The lint's benchmark (bench/lint.sh runs it): N generated migrations, the
same files for both tools. Migration i creates table t_i with its index (a
new table: exempt), and touches the table before it: an index without
CONCURRENTLY, every 5th a NOT NULL column without a default, every 7th a
foreign key without NOT VALID, every 11th a column type change, every 13th a
column drop; the downgrade undoes it. Times, median of --runs, in one
process: `bench lint` (its runner, all N files) against `squawk` on the same
files; and the findings of each, counted by rule.
"""
import argparse
import collections
import json
import os
import re
import statistics
import subprocess
import sys
import time


def run(argv, stdout=subprocess.DEVNULL, ok=(0,)):
    r = subprocess.run(argv, stdout=stdout, stderr=subprocess.PIPE, text=True)
    if r.returncode not in ok:
        sys.exit(f"lint.py: {' '.join(argv)} exited {r.returncode}:\n{r.stderr}")
    return r


def write_if_changed(path, text):
    if not os.path.exists(path) or open(path).read() != text:
        with open(path, "w") as f:
            f.write(text)


def migration(i):
    up = [f"CREATE TABLE t{i:05d} (id bigint PRIMARY KEY, name text NOT NULL, parent bigint);",
          f"CREATE INDEX t{i:05d}_name ON t{i:05d} (name);"]
    down = [f"DROP TABLE t{i:05d};"]
    if i > 1:
        p = f"t{i - 1:05d}"
        up.append(f"CREATE INDEX {p}_parent ON {p} (parent);")
        down.insert(0, f"DROP INDEX {p}_parent;")
        if i % 5 == 0:
            up.append(f"ALTER TABLE {p} ADD COLUMN flag boolean NOT NULL;")
            down.insert(0, f"ALTER TABLE {p} DROP COLUMN flag;")
        if i % 7 == 0:
            up.append(f"ALTER TABLE {p} ADD CONSTRAINT {p}_parent_fkey FOREIGN KEY (parent) REFERENCES {p} (id);")
            down.insert(0, f"ALTER TABLE {p} DROP CONSTRAINT {p}_parent_fkey;")
        if i % 11 == 0:
            up.append(f"ALTER TABLE {p} ALTER COLUMN parent TYPE numeric;")
            down.insert(0, f"ALTER TABLE {p} ALTER COLUMN parent TYPE bigint;")
        if i % 13 == 0:
            up.append(f"ALTER TABLE {p} DROP COLUMN name;")
            down.insert(0, f"ALTER TABLE {p} ADD COLUMN name text;")
    parent = f"r{i - 1:05d}" if i > 1 else "none"
    return (f"-- migrate:revision r{i:05d}\n-- migrate:down_revision {parent}\n\n"
            "-- migrate:upgrade\n" + "\n".join(up) + "\n\n-- migrate:downgrade\n" + "\n".join(down) + "\n")


def main():
    p = argparse.ArgumentParser()
    for a in ("--work", "--package", "--squawk", "--readme"):
        p.add_argument(a)
    p.add_argument("--size", type=int, default=1000)
    p.add_argument("--runs", type=int, default=5)
    a = p.parse_args()
    n = a.size
    project, build = f"{a.work}/project-{n}", f"{a.work}/build-{n}"
    os.makedirs(f"{project}/migrations", exist_ok=True)
    write_if_changed(f"{project}/CMakeLists.txt",
                     "cmake_minimum_required(VERSION 3.18)\nproject(lint_bench LANGUAGES CXX)\n"
                     "find_package(MigrationTools CONFIG REQUIRED)\nadd_migrations(bench LINT OFF)\n")
    for i in range(1, n + 1):
        write_if_changed(f"{project}/migrations/{i:05d}_t{i:05d}.sql", migration(i))
    run(["cmake", "-S", project, "-B", build, "-G", "Ninja", "-DCMAKE_BUILD_TYPE=Release",
         f"-DCMAKE_PREFIX_PATH={a.package}"])
    run(["cmake", "--build", build])
    files = sorted(f"{project}/migrations/{f}" for f in os.listdir(f"{project}/migrations"))
    ours = [f"{build}/bench", "-q", "lint", "--warn-only"]
    theirs = [a.squawk, "--reporter", "gcc", *files]
    times = {"ours": [], "squawk": []}
    for _ in range(a.runs + 1):  # the first is a warm-up
        for name, argv in (("ours", ours), ("squawk", theirs)):
            start = time.perf_counter()
            run(argv, ok=(0, 1, 3))
            times[name].append(time.perf_counter() - start)
    med = {k: statistics.median(v[1:]) for k, v in times.items()}
    found = json.loads(run([f"{build}/bench", "--format", "json", "lint", "--warn-only"],
                           stdout=subprocess.PIPE).stdout)
    our_rules = collections.Counter(f["rule"] for f in found["findings"])
    squawk = json.loads(run([a.squawk, "--reporter", "json", *files], stdout=subprocess.PIPE,
                            ok=(0, 1)).stdout or "[]")
    their_rules = collections.Counter(f["rule_name"] for f in squawk)
    rules = sorted(set(our_rules) | set(their_rules))
    lines = [f"{n:,} generated migrations (bench/lint.py says what each holds); median of {a.runs} runs "
             "after a warm-up.", "",
             "| | ours (`bench lint`) | squawk | ours / squawk | goal |", "|---|---:|---:|---:|---|",
             f"| time | {med['ours'] * 1000:.0f} ms | {med['squawk'] * 1000:.0f} ms | "
             f"{med['ours'] / med['squawk']:.2f}x | "
             f"{'met' if med['ours'] <= med['squawk'] and med['ours'] <= 1 else '**missed**'} "
             "(≤ squawk and ≤ 1 s) |",
             f"| findings | {sum(our_rules.values())} | {len(squawk)} | | |", "",
             "| rule | ours | squawk |", "|---|---:|---:|"]
    for r in rules:
        lines.append(f"| `{r}` | {our_rules.get(r, 0)} | {their_rules.get(r, 0)} |")
    text = "\n".join(lines)
    print(text)
    if a.readme:
        readme = open(a.readme).read()
        if "<!-- lint:begin -->" not in readme:
            sys.exit("lint.py: bench/README.md has no lint block")
        block = f"<!-- lint:begin -->\n{text}\n<!-- lint:end -->"
        readme = re.sub(r"<!-- lint:begin -->.*<!-- lint:end -->", lambda m: block, readme, flags=re.S)
        with open(a.readme, "w") as f:
            f.write(readme)


if __name__ == "__main__":
    main()
