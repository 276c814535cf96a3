"""The lock guard's benchmark (bench/lock_guard.sh runs it). A table of
10,000 accounts; pgbench (4 clients, 2 threads) updates and reads random
rows for the whole run; after 2 s a session opens a transaction that reads
the table and keeps it open for --hold seconds; as it opens it, the runner
upgrades the table (ALTER TABLE ... ADD COLUMN: ACCESS EXCLUSIVE for a
moment). Per scenario, median of --runs: the worst and the 99th-percentile
latency of pgbench's transactions that ended while the migration ran, the
same before it (the baseline), and the migration's total time.

  guarded    the runner's defaults (lock_timeout 3s, 9 retries), and with
             --lock-timeout 500ms
  unguarded  --lock-retries 0 --lock-timeout 0: the migration waits in the
             lock queue, and every query on the table waits behind it
"""
import argparse
import glob
import os
import statistics
import subprocess
import sys
import threading
import time

from benchlib import build_runner, cluster_url, log, replace_readme_block, run, write




def pgbench_program():
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pgbench"))
    return found[-1] if found else "pgbench"



def percentile(values, p):
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main():
    p = argparse.ArgumentParser()
    for a in ("--work", "--pg-dir", "--cluster", "--package", "--readme"):
        p.add_argument(a)
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--hold", type=float, default=5)
    a = p.parse_args()

    def url(db):
        return cluster_url(a.cluster, a.pg_dir, db, "lock_guard.py")

    admin = url("postgres")
    project, build = f"{a.work}/project", f"{a.work}/build"
    write(f"{project}/migrations/001_accounts.sql",
          "-- migrate:revision a\n-- migrate:down_revision none\n\n-- migrate:upgrade\n"
          "CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL DEFAULT 0);\n"
          "INSERT INTO accounts (id) SELECT generate_series(1, 10000);\n\n"
          "-- migrate:downgrade\nDROP TABLE accounts;\n")
    write(f"{project}/migrations/002_note.sql",
          "-- migrate:revision b\n-- migrate:down_revision a\n\n-- migrate:upgrade\n"
          "ALTER TABLE accounts ADD COLUMN note text;\n\n"
          "-- migrate:downgrade\nALTER TABLE accounts DROP COLUMN note;\n")
    runner = build_runner(project, build, a.package, "lock_guard_bench", "lock_guard.py")
    env = dict(os.environ, MIGRATE_NO_DEV_DB="1")
    script = f"{a.work}/traffic.sql"
    write(script, "\\set id random(1, 10000)\nUPDATE accounts SET balance = balance + 1 WHERE id = :id;\n"
                  "SELECT balance FROM accounts WHERE id = :id;\n")

    def one_run(options):
        run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", admin, "-c",
             "DROP DATABASE IF EXISTS bench_lock WITH (FORCE)", "-c", "CREATE DATABASE bench_lock"])
        target = url("bench_lock")
        run([runner, "-q", "--url", target, "upgrade", "a"], env=env)
        logs = f"{a.work}/pgbench-logs"
        subprocess.run(["rm", "-rf", logs])
        os.makedirs(logs)
        duration = int(a.hold + 8)
        bench = subprocess.Popen([pgbench_program(), "-n", "-c", "4", "-j", "2", "-T", str(duration),
                                  "-f", script, "-l", f"--log-prefix={logs}/log", target],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        time.sleep(2)
        holder = subprocess.Popen(["psql", "-X", "-q", target], stdin=subprocess.PIPE,
                                  stdout=subprocess.DEVNULL, text=True)
        holder.stdin.write("BEGIN;\nSELECT count(*) FROM accounts;\n")
        holder.stdin.flush()
        time.sleep(0.2)

        def release():
            time.sleep(a.hold)
            holder.stdin.write("COMMIT;\n")
            holder.stdin.close()

        releaser = threading.Thread(target=release)
        started = time.time()
        releaser.start()
        run([runner, "-q", "--url", target] + options + ["upgrade"], env=env)
        ended = time.time()
        releaser.join()
        holder.wait()
        if bench.wait() != 0:
            sys.exit(f"lock_guard.py: pgbench failed:\n{bench.stderr.read()}")
        during, before = [], []
        for path in glob.glob(f"{logs}/log.*"):
            for line in open(path):
                f = line.split()
                latency_ms, end = int(f[2]) / 1000, int(f[4]) + int(f[5]) / 1e6
                if started <= end <= ended + 0.5:
                    during.append(latency_ms)
                elif end < started:
                    before.append(latency_ms)
        return {"worst": max(during, default=0), "p99": percentile(during, 99),
                "baseline worst": max(before, default=0), "baseline p99": percentile(before, 99),
                "migration": ended - started}

    rows = []
    for name, options in (("guarded (defaults: `lock_timeout` 3 s)", []),
                          ("guarded, `--lock-timeout 500ms`", ["--lock-timeout", "500ms"]),
                          ("unguarded (`--lock-retries 0 --lock-timeout 0`)",
                           ["--lock-retries", "0", "--lock-timeout", "0"])):
        results = [one_run(options) for _ in range(a.runs)]
        med = {k: statistics.median(r[k] for r in results) for k in results[0]}
        log(f"{name}: " + ", ".join(f"{k} {v:.1f}" for k, v in med.items()))
        rows.append((name, med))

    table = [f"pgbench (4 clients) on a table of 10,000 rows; a transaction holds it for {a.hold:g} s "
             "from the moment the migration (`ALTER TABLE ... ADD COLUMN`) starts. Median of "
             f"{a.runs} runs; latencies of the transactions that ended while the migration ran, and "
             "before it (baseline).", "",
             "| scenario | worst latency | p99 latency | baseline worst | baseline p99 | migration time |",
             "|---|---:|---:|---:|---:|---:|"]
    for name, m in rows:
        table.append(f"| {name} | {m['worst']:.0f} ms | {m['p99']:.1f} ms | {m['baseline worst']:.0f} ms | "
                     f"{m['baseline p99']:.1f} ms | {m['migration']:.1f} s |")
    text = "\n".join(table)
    print(text)
    if a.readme:
        replace_readme_block(a.readme, "lock-guard", text, "lock_guard.py")


if __name__ == "__main__":
    main()
