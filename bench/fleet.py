"""The fleet benchmark (bench/fleet.sh runs it). A history of --migrations
migrations (a table each, every tenth with an index and a column added);
--databases fresh databases on one server.

  alone   each database migrated by a runner of its own, one after another:
          the slowest of them is the reference
  fleet   the same databases, fresh again, migrated by one runner
          (--url repeated, --jobs N)

Reported: the fleet's time against the slowest single database times
databases / jobs (the goal: at most 1.3), and the runner's own processor time
(user + system, from getrusage of the child) against the server's (its
postmaster's own and its reaped backends' times, from /proc) over the fleet run.
"""
import argparse
import os
import resource
import time

from benchlib import build_runner, cluster_url, log, replace_readme_block, run, write





def server_cpu_seconds(pg_dir):
    """The postmaster's processor time and its reaped children's (every
    backend that ended), from /proc/PID/stat."""
    pid = int(open(f"{pg_dir}/data/postmaster.pid").readline())
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    utime, stime, cutime, cstime = (int(fields[i]) for i in (11, 12, 13, 14))
    return (utime + stime + cutime + cstime) / os.sysconf("SC_CLK_TCK")


def main():
    p = argparse.ArgumentParser()
    for a in ("--work", "--pg-dir", "--cluster", "--package", "--readme"):
        p.add_argument(a)
    for a, d in (("--databases", 100), ("--migrations", 100), ("--jobs", 4)):
        p.add_argument(a, type=int, default=d)
    a = p.parse_args()

    def url(db):
        return cluster_url(a.cluster, a.pg_dir, db, "fleet.py")

    admin = url("postgres")
    project, build = f"{a.work}/project", f"{a.work}/build"
    parent = "none"
    for i in range(1, a.migrations + 1):
        body = f"CREATE TABLE t{i} (id bigint PRIMARY KEY, name text NOT NULL);\n"
        down = f"DROP TABLE t{i};\n"
        if i % 10 == 0:
            body += f"CREATE INDEX t{i}_name ON t{i} (name);\nALTER TABLE t{i - 1} ADD COLUMN note text;\n"
            down = f"ALTER TABLE t{i - 1} DROP COLUMN note;\n" + down
        write(f"{project}/migrations/{i:04d}_t{i}.sql",
              f"-- migrate:revision r{i}\n-- migrate:down_revision {parent}\n\n-- migrate:upgrade\n"
              f"{body}\n-- migrate:downgrade\n{down}")
        parent = f"r{i}"
    runner = build_runner(project, build, a.package, "fleet_bench", "fleet.py")
    env = dict(os.environ, MIGRATE_NO_DEV_DB="1")
    names = [f"fleet_{i:03d}" for i in range(a.databases)]

    def fresh():
        sql = []
        for n in names:
            sql += ["-c", f"DROP DATABASE IF EXISTS {n} WITH (FORCE)", "-c", f"CREATE DATABASE {n}"]
        run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", admin] + sql)
        return [url(n) for n in names]

    urls = fresh()
    log(f"{a.databases} databases alone, one after another")
    alone = []
    for u in urls:
        started = time.perf_counter()
        run([runner, "-q", "--url", u, "upgrade"], env=env)
        alone.append(time.perf_counter() - started)
    slowest = max(alone)

    urls = fresh()
    log(f"the fleet, --jobs {a.jobs}")
    args = [runner, "-q", "--jobs", str(a.jobs)]
    for u in urls:
        args += ["--url", u]
    before_children = resource.getrusage(resource.RUSAGE_CHILDREN)
    before_server = server_cpu_seconds(a.pg_dir)
    started = time.perf_counter()
    run(args + ["upgrade"], env=env)
    fleet = time.perf_counter() - started
    after_children = resource.getrusage(resource.RUSAGE_CHILDREN)
    server = server_cpu_seconds(a.pg_dir) - before_server
    runner_cpu = (after_children.ru_utime - before_children.ru_utime
                  + after_children.ru_stime - before_children.ru_stime)
    bound = slowest * a.databases / a.jobs
    ratio = fleet / bound
    cores = os.cpu_count() or 1
    # What this machine can do at best: every processor second of the run
    # (the runner's and the server's) spread over all its cores.
    floor = (runner_cpu + server) / cores
    parallel = min(a.jobs, cores)
    bound_cores = slowest * a.databases / parallel
    share = runner_cpu / (runner_cpu + server) if runner_cpu + server > 0 else 0
    log(f"alone: slowest {slowest:.3f} s, median {sorted(alone)[len(alone) // 2]:.3f} s; "
        f"fleet {fleet:.2f} s; ratio {ratio:.2f}; runner cpu {runner_cpu:.2f} s, server {server:.2f} s")

    text = "\n".join([
        f"{a.databases} databases on one server, {a.migrations} migrations each "
        f"({os.cpu_count()} cores); `--jobs {a.jobs}`.", "",
        "| measure | value |", "|---|---:|",
        f"| one database alone: slowest of {a.databases} | {slowest:.3f} s |",
        f"| one database alone: median | {sorted(alone)[len(alone) // 2]:.3f} s |",
        f"| the fleet, one runner | {fleet:.2f} s |",
        f"| slowest alone x {a.databases} / {a.jobs} | {bound:.2f} s |",
        f"| **fleet / (slowest x {a.databases}/{a.jobs})** (goal: at most 1.3) | **{ratio:.2f}** |",
        f"| slowest alone x {a.databases} / {parallel} (the jobs this machine's {cores} cores can run at once) | {bound_cores:.2f} s |",
        f"| fleet / (slowest x {a.databases}/{parallel}) | {fleet / bound_cores:.2f} |",
        f"| the machine's floor: all processor time of the run / {cores} cores | {floor:.2f} s |",
        f"| fleet / floor | {fleet / floor:.2f} |",
        f"| the runner's processor time (user + system) | {runner_cpu:.2f} s |",
        f"| the server's processor time over the run | {server:.2f} s |",
        f"| **runner's share of the processor time** (goal: under 10%) | **{100 * share:.1f}%** |",
    ])
    print(text)
    if a.readme:
        replace_readme_block(a.readme, "fleet", text, "fleet.py")


if __name__ == "__main__":
    main()
