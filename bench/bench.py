#!/usr/bin/python3
"""MigrationTools' benchmark suite; bench/run.sh installs what it needs, starts a
throwaway PostgreSQL cluster and runs this. See bench/README.md.

Every figure is the median of --runs timed runs, after one untimed warm-up run
that also measures the peak RSS (/usr/bin/time -f %M). Where several tools are
compared, their runs are interleaved (round-robin), so that a change in the
machine's load hits all of them alike.
"""
import argparse
import datetime
import glob
import hashlib
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse

import generate

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
DEVNULL = subprocess.DEVNULL

# The goals of the issue, by number of migrations: seconds, kB, or a ratio to psql.
NO_DB_GOAL = {1000: 0.010, 10000: 0.050}
DB_GOAL = {1000: 0.030, 10000: 0.080}
RSS_GOAL_KB = {10000: 30 * 1024}
UPGRADE_GOAL = {1000: 1.10}
CONFIGURE_GOAL = {1000: 0.5, 10000: 3.0}
INCREMENTAL_GOAL = {10000: 10.0}


class BenchError(Exception):
    pass


def log(msg):
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


class Runner:
    """Runs commands, times them, checks their exit codes."""

    def __init__(self, work, runs, warmup, max_seconds):
        self.max_seconds = max_seconds
        self.last_cpu = 0.0
        self.work = work
        self.runs = runs
        self.warmup = warmup
        self.errlog = os.path.join(work, "last-stderr.txt")
        self.env = {k: v for k, v in os.environ.items()
                    if k not in ("DATABASE_URL", "CI") and not k.startswith("PG")}
        self.env["LC_ALL"] = "C.UTF-8"

    def _fail(self, argv, rc, expect):
        with open(self.errlog, "rb") as f:
            tail = f.read()[-3000:].decode(errors="replace")
        raise BenchError(f"{' '.join(argv)}: exit code {rc}, expected {expect}\n{tail}")

    def once(self, argv, env=None, cwd=None, expect=0, stdout=DEVNULL):
        """One timed run: wall-clock seconds. The child's CPU time (user +
        system, from wait4) is left in self.last_cpu."""
        e = dict(self.env, **(env or {}))
        with open(self.errlog, "wb") as err:
            t0 = time.perf_counter()
            p = subprocess.Popen(argv, stdin=DEVNULL, stdout=stdout, stderr=err, env=e, cwd=cwd)
            _, status, usage = os.wait4(p.pid, 0)
            dt = time.perf_counter() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
        self.last_cpu = usage.ru_utime + usage.ru_stime
        if p.returncode != expect:
            self._fail(argv, p.returncode, expect)
        return dt

    def rss(self, argv, env=None, cwd=None, expect=0):
        """One run under /usr/bin/time -f %M: peak RSS in kB. The run's wall
        time is left in self.last_time, its CPU time in self.last_cpu."""
        out = os.path.join(self.work, "rss.txt")
        self.last_time = self.once(["/usr/bin/time", "-f", "%M", "-o", out] + argv, env, cwd, expect)
        with open(out) as f:
            return int(f.read().strip().splitlines()[-1])

    def compare(self, cases, runs=None, warmup=None):
        """cases: {name: dict(argv=, env=, cwd=, prepare=, after=, expect=, rss=)}.
        Runs interleaved round-robin; returns {name: Figure}. A case whose
        warm-up run shows that --runs runs would take longer than
        --max-seconds gets fewer runs (at least one); the report marks it."""
        runs = self.runs if runs is None else runs
        warmup = self.warmup if warmup is None else warmup
        times = {name: [] for name in cases}
        cpus = {name: [] for name in cases}
        rss = {name: None for name in cases}
        want = {name: runs for name in cases}
        for i in range(warmup + runs):
            for name, c in cases.items():
                if i >= warmup and len(times[name]) >= want[name]:
                    continue
                if c.get("prepare"):
                    c["prepare"]()
                args = (c["argv"], c.get("env"), c.get("cwd"), c.get("expect", 0))
                if i < warmup:
                    if c.get("rss", True):
                        rss[name] = self.rss(*args)
                        warm = self.last_time
                    else:
                        warm = self.once(*args)
                    if warm > self.max_seconds:
                        # Too slow to repeat: the warm-up is the one measured run.
                        want[name] = 1
                        times[name].append(warm)
                        cpus[name].append(self.last_cpu)
                    elif warm * runs > self.max_seconds:
                        want[name] = max(1, int(self.max_seconds // warm))
                else:
                    times[name].append(self.once(*args))
                    cpus[name].append(self.last_cpu)
                if c.get("after"):
                    c["after"]()
        return {name: Figure(statistics.median(times[name]), times[name],
                             statistics.median(cpus[name]), rss[name]) for name in cases}


class Figure:
    """One measured case: median seconds, every run's seconds, median CPU
    seconds, peak RSS in kB (None when not measured). Indexable as
    (median, runs, rss)."""

    def __init__(self, median, raw, cpu, rss):
        self.median, self.raw, self.cpu, self.rss = median, raw, cpu, rss

    def __getitem__(self, i):
        return (self.median, self.raw, self.rss)[i]


class Suite:
    def __init__(self, args):
        self.args = args
        self.work = os.path.abspath(args.work)
        self.gen = os.path.join(self.work, "gen")
        os.makedirs(self.gen, exist_ok=True)
        self.r = Runner(self.work, args.runs, args.warmup, args.max_seconds)
        self.sizes = args.sizes
        self.results = {}  # key -> {size: value}
        self.raw = {}  # key -> {size: [runs]}
        self.pg = args.pg_dir
        self.pg_script = os.path.join(REPO, "tests", "support", "pg_cluster.sh")
        self.admin_url = self.url("postgres")
        self.scanner = None
        self.has_sql = True
        self.few_runs = False
        self.load_start = " ".join(f"{x:.1f}" for x in os.getloadavg())
        self.nice = (f"at nice {os.nice(0)} (run.sh raises the priority to keep other jobs "
                     f"from disturbing the timings)" if os.nice(0) < 0 else "at normal priority")

    # ---- helpers -----------------------------------------------------------
    def put(self, key, size, value, raw=None):
        self.results.setdefault(key, {})[size] = value
        if raw is not None:
            self.raw.setdefault(key, {})[size] = raw

    def url(self, db):
        return subprocess.run([self.pg_script, "url", self.pg, db], check=True, text=True,
                              stdout=subprocess.PIPE).stdout.strip()

    def fresh_db(self, db):
        # The checkpoint writes out what earlier runs left dirty, so that no run
        # pays for the one before it.
        subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", self.admin_url,
                        "-c", "SET client_min_messages = warning",
                        "-c", f'DROP DATABASE IF EXISTS "{db}"', "-c", f'CREATE DATABASE "{db}"',
                        "-c", "CHECKPOINT"], check=True, stdout=DEVNULL, env=self.r.env)

    def drop_db(self, db):
        subprocess.run(["psql", "-X", "-q", "-d", self.admin_url, "-c",
                        "SET client_min_messages = warning", "-c", f'DROP DATABASE IF EXISTS "{db}"'],
                       stdout=DEVNULL, env=self.r.env)

    def tune_server(self):
        """No background work in the throwaway cluster during the timings:
        autovacuum would start on the catalogues that thousands of CREATE
        TABLEs fill, and a checkpoint could fall into any run. Every tool runs
        under the same settings (on top of pg_cluster.sh's fsync=off)."""
        subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", self.admin_url,
                        "-c", "ALTER SYSTEM SET autovacuum = off",
                        "-c", "ALTER SYSTEM SET checkpoint_timeout = '1h'",
                        "-c", "ALTER SYSTEM SET max_wal_size = '16GB'",
                        "-c", "SELECT pg_reload_conf()"], check=True, stdout=DEVNULL, env=self.r.env)

    def mt_dir(self, n):
        return os.path.join(self.gen, f"mt-{n}")

    def alembic_dir(self, n):
        return os.path.join(self.gen, f"alembic-{n}")

    def build_dir(self, n):
        return os.path.join(self.work, f"build-{n}")

    def runner(self, n):
        return os.path.join(self.build_dir(n), "bench")

    def cmake_configure(self, n, tree):
        argv = ["cmake", "-S", self.mt_dir(n), "-B", tree, "-G", "Ninja",
                f"-DCMAKE_BUILD_TYPE={self.args.build_type}"]
        if self.scanner:
            argv.append(f"-DMIGRATION_TOOLS_SCANNER={self.scanner}")
        if self.args.package:
            argv.append(f"-DCMAKE_PREFIX_PATH={self.args.package}")
        return argv

    # ---- the product under test ---------------------------------------------------
    def snapshot(self):
        """Copies MigrationTools' build inputs (CMakeLists.txt, cmake/, include/,
        src/) to the work directory, so that edits made in the repository while
        the suite runs cannot change what is measured half-way. A file is
        rewritten (with a new modification time) only when its content differs,
        so that a later run rebuilds only what changed."""
        dst = os.path.join(self.work, "migration_tools")
        digest = hashlib.sha256()
        wanted = set()
        for item in ("CMakeLists.txt", "cmake", "include", "src"):
            top = os.path.join(REPO, item)
            paths = [top] if os.path.isfile(top) else sorted(
                os.path.join(d, f) for d, _, fs in os.walk(top) for f in fs)
            for path in paths:
                rel = os.path.relpath(path, REPO)
                with open(path, "rb") as f:
                    data = f.read()
                digest.update(rel.encode() + b"\0" + data + b"\0")
                wanted.add(rel)
                target = os.path.join(dst, rel)
                old = None
                if os.path.exists(target):
                    with open(target, "rb") as f:
                        old = f.read()
                if old != data:
                    os.makedirs(os.path.dirname(target), exist_ok=True)
                    with open(target, "wb") as f:
                        f.write(data)
        for d, _, fs in os.walk(dst):
            for f in fs:
                if os.path.relpath(os.path.join(d, f), dst) not in wanted:
                    os.remove(os.path.join(d, f))
        self.product = dst
        self.product_digest = digest.hexdigest()[:12]

    # ---- generation --------------------------------------------------------
    def generate(self):
        for n in [0] + self.sizes:
            generate.gen_psql(os.path.join(self.gen, f"psql-{n}.sql"), n)
            generate.gen_psql(os.path.join(self.gen, f"psql-history-{n}.sql"), n, history=True)
            stamp = os.path.join(self.gen, f"done-{n}")
            if os.path.exists(stamp):
                generate.gen_mt_project(self.mt_dir(n), n, self.product, self.args.package)
                continue
            log(f"generating {n} migrations for MigrationTools and Alembic")
            for d in (self.mt_dir(n), self.alembic_dir(n)):
                shutil.rmtree(d, ignore_errors=True)
            generate.gen_mt(self.mt_dir(n), n, self.product, self.args.package)
            generate.gen_alembic(self.alembic_dir(n), n)
            # Alembic imports every revision file: compile them up front, as any
            # second run would find them compiled.
            subprocess.run(["/usr/bin/python3", "-m", "compileall", "-q", "-j", "0",
                            self.alembic_dir(n)], check=True, stdout=DEVNULL)
            open(stamp, "w").close()

    # ---- 3. CMake ------------------------------------------------------------
    def prepare_scanner(self):
        a = self.args
        # The scanner (migration_tools_scan) is a small project that configure
        # builds once per build tree. Seed it once; every measured tree then uses
        # it through MIGRATION_TOOLS_SCANNER, so that its one-time compile does
        # not drown the configure figures. Its cost is reported on its own.
        seed = os.path.join(self.work, "scanner-seed")
        scanner = os.path.join(seed, "_migration_tools", "scanner", "migration_tools_scan")
        if a.package:
            # An installed package brings its scanner built.
            scanner = os.path.join(a.package, "libexec", "MigrationTools", "migration_tools_scan")
        # A full run measures the scanner's compile too; --smoke reuses it.
        elif not os.path.exists(scanner) or not a.smoke:
            shutil.rmtree(seed, ignore_errors=True)
            log("first configure of a build tree (builds the scanner)")
            t = self.r.once(self.cmake_configure(0, seed))
            self.put("scanner_first_configure", 0, t)
        if not a.package:
            self.put("scanner_check", 0, self.r.compare(
                {"x": dict(argv=["cmake", "--build", os.path.dirname(scanner)], rss=False)})["x"][0])
        self.scanner = scanner


    def build_runners(self):
        """The runners alone, untimed (--sections without cmake)."""
        self.scanner = None
        if self.args.package:
            self.scanner = os.path.join(self.args.package, "libexec", "MigrationTools",
                                        "migration_tools_scan")
        for n in self.sizes:
            log(f"building the runner of {n} migrations")
            subprocess.run(self.cmake_configure(n, self.build_dir(n)), check=True, stdout=DEVNULL,
                           env=self.r.env)
            subprocess.run(["cmake", "--build", self.build_dir(n)], check=True, stdout=DEVNULL,
                           env=self.r.env)

    def say_how_runners_check_sources(self):
        """Whether each runner's stale check can skip listing its directories and
        trust its files' times (src/engine/stale_runner.cpp): the scanner vouches
        only for sources that settled two seconds before it ran. A tree generated
        just before its configure makes every start compare bytes instead, which
        a user meets only after a fresh checkout."""
        for n in self.sizes:
            path = os.path.join(self.build_dir(n), "bench_migrations", "embedded.cpp")
            try:
                text = open(path).read()
            except OSError:
                continue
            listed = re.search(r"directories, 0\};", text) is not None
            fresh = text.count("-1LL, &headers")
            if listed or fresh:
                log(f"note: the runner of {n} migrations lists its directories ({listed}) and "
                    f"compares {fresh} files by bytes: its sources had not settled at configure")

    def cmake(self):
        a = self.args
        self.prepare_scanner()
        cfg = os.path.join(self.work, "configure")
        for n in [0] + self.sizes:
            log(f"cmake: configure at {n} migrations")
            res = self.r.compare({"x": dict(argv=self.cmake_configure(n, cfg), rss=False,
                                            prepare=lambda: shutil.rmtree(cfg, ignore_errors=True))},
                                 warmup=0)["x"]
            self.put("configure_fresh", n, res[0], res[1])
            res = self.r.compare({"x": dict(argv=self.cmake_configure(n, cfg), rss=False)})["x"]
            self.put("configure_again", n, res[0], res[1])
        shutil.rmtree(cfg, ignore_errors=True)

        for n in self.sizes:
            b = self.build_dir(n)
            fresh = not os.path.exists(self.runner(n))
            if fresh:
                shutil.rmtree(b, ignore_errors=True)
            subprocess.run(self.cmake_configure(n, b), check=True, stdout=DEVNULL, env=self.r.env)
            # The full build from clean: MigrationTools' libraries and the runner.
            runs = a.runs if a.full else 0 if a.smoke else 1
            times = []
            for i in range(max(runs, 1 if fresh else 0)):
                log(f"cmake: full build from clean at {n} migrations")
                if not fresh or i:
                    subprocess.run(["cmake", "--build", b, "--target", "clean"], check=True, stdout=DEVNULL)
                times.append(self.r.once(["cmake", "--build", b]))
            if times:
                self.put("build_full", n, statistics.median(times), times)
            subprocess.run(["cmake", "--build", b], check=True, stdout=DEVNULL, env=self.r.env)

            def clean_runner(b=b):
                # Both executables of the runner and what only they use.
                for target in ("bench", "bench_online", "bench_catalog", "bench_migrations"):
                    for o in glob.glob(os.path.join(b, "CMakeFiles", f"{target}.dir", "**", "*.o"),
                                       recursive=True):
                        os.remove(o)
                for f in ("bench", "bench-online", "libbench_catalog.a"):
                    os.remove(os.path.join(b, f))
            log(f"cmake: runner build at {n} migrations (libraries already built)")
            res = self.r.compare({"x": dict(argv=["cmake", "--build", b, "--target", "bench"],
                                            prepare=clean_runner, rss=False)})["x"]
            self.put("build_runner", n, res[0], res[1])

            res = self.r.compare({"x": dict(argv=["cmake", "--build", b], rss=False)})["x"]
            self.put("build_noop", n, res[0], res[1])

            # Add migration n+1 on top of the head, rebuild; take it away again
            # (untimed) so that every run starts from the same tree.
            extra = os.path.join(self.mt_dir(n), "migrations", generate.mt_file_name(n + 1))

            def add(extra=extra, n=n):
                with open(extra, "w") as f:
                    f.write(generate.mt_file_text(n + 1))

            def remove(extra=extra, b=b):
                os.remove(extra)
                self.r.once(["cmake", "--build", b])
            log(f"cmake: incremental rebuild after adding one migration to {n}")
            res = self.r.compare({"x": dict(argv=["cmake", "--build", b], prepare=add, after=remove,
                                            rss=False)})["x"]
            self.put("build_incremental", n, res[0], res[1])

    # ---- 1. Upgrade ------------------------------------------------------------
    def upgrade(self):
        for n in self.sizes:
            log(f"upgrade: {n} migrations into a fresh database")
            dbs = {k: f"up_{k}_{n}" for k in ("psql", "history", "script", "runner", "alembic")}
            urls = {k: self.url(db) for k, db in dbs.items()}
            script = os.path.join(self.gen, f"runner-script-{n}.sql")
            cases = {
                "psql": dict(argv=["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", urls["psql"],
                                   "-f", os.path.join(self.gen, f"psql-{n}.sql")]),
                "history": dict(argv=["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", urls["history"],
                                      "-f", os.path.join(self.gen, f"psql-history-{n}.sql")]),
                "runner": dict(argv=[self.runner(n), "--url", urls["runner"], "upgrade"]),
                "alembic": dict(argv=["alembic", "-c", os.path.join(self.alembic_dir(n), "alembic.ini"),
                                      "upgrade", "head"], env={"BENCH_DATABASE_URL": urls["alembic"]}),
            }
            if self.args.no_alembic:
                del cases["alembic"]
            with open(script, "wb") as f:
                p = subprocess.run([self.runner(n), "upgrade", "--sql"], stdout=f, stderr=DEVNULL,
                                   env=self.r.env)
            if p.returncode == 0:
                cases["script"] = dict(argv=["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d",
                                             urls["script"], "-f", script])
            else:
                self.has_sql = False
            for k, c in cases.items():
                c["prepare"] = lambda db=dbs[k]: self.fresh_db(db)
            res = self.r.compare(cases, runs=self.args.runs if self.args.smoke
                                 else max(self.args.runs, self.args.upgrade_runs))
            for k, f in res.items():
                self.put(f"upgrade_{k}", n, f.median, f.raw)
                self.put(f"upgrade_{k}_cpu", n, f.cpu)
                self.put(f"upgrade_{k}_rss", n, f.rss)
            # Leave the databases at head for current and check; drop the others.
            for k in ("psql", "history", "script"):
                self.drop_db(dbs[k])

    # ---- 1b. Upgrade over a network --------------------------------------------------
    def remote(self):
        """The upgrade of the smallest size against a database one network hop
        away: latency_proxy.py, a TCP proxy in front of the cluster's socket,
        delays every chunk by --remote-delay-ms in each direction. psql sends
        each statement of a migration on its own; the runner sends a
        one-statement migration in one round trip (its first statement with
        BEGIN, its last with the bookkeeping and COMMIT)."""
        n = self.sizes[0]
        log(f"upgrade over a network: {n} migrations, {self.args.remote_delay_ms} ms each way")
        query = urllib.parse.parse_qs(urllib.parse.urlparse(self.admin_url).query)
        socket_path = os.path.join(query["host"][0], ".s.PGSQL.5432")
        user = query.get("user", ["postgres"])[0]
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        proxy = subprocess.Popen([sys.executable, os.path.join(HERE, "latency_proxy.py"), str(port),
                                  socket_path, str(self.args.remote_delay_ms)])
        try:
            for _ in range(100):
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    time.sleep(0.05)
            else:
                raise BenchError("latency_proxy.py did not start")

            def url(db):
                return f"postgresql://{user}@127.0.0.1:{port}/{db}?sslmode=disable"

            # The round trip through the proxy: 100 statements less 1, per statement.
            rtt = {}
            for count in (1, 100):
                f = self.r.compare({"x": dict(argv=["psql", "-X", "-q", "-d", url("postgres")]
                                              + ["-c", "SELECT 1"] * count, rss=False)})["x"]
                rtt[count] = f.median
            self.put("remote_round_trip", n, (rtt[100] - rtt[1]) / 99)
            dbs = {k: f"remote_{k}_{n}" for k in ("psql", "history", "runner")}
            cases = {
                "psql": dict(argv=["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url(dbs["psql"]),
                                   "-f", os.path.join(self.gen, f"psql-{n}.sql")]),
                "history": dict(argv=["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d",
                                      url(dbs["history"]), "-f",
                                      os.path.join(self.gen, f"psql-history-{n}.sql")]),
                "runner": dict(argv=[self.runner(n), "--url", url(dbs["runner"]), "upgrade"]),
            }
            for k, c in cases.items():
                c["prepare"] = lambda db=dbs[k]: self.fresh_db(db)
                c["rss"] = False
            for k, f in self.r.compare(cases).items():
                self.put(f"remote_{k}", n, f.median, f.raw)
            for db in dbs.values():
                self.drop_db(db)
        finally:
            proxy.terminate()
            proxy.wait()

    # ---- 2. Read-only commands -----------------------------------------------------
    def libpq_client(self):
        """bench/libpq_select.c built against libpq (pkg-config), or None."""
        out = os.path.join(self.work, "libpq_select")
        try:
            flags = subprocess.run(["pkg-config", "--cflags", "--libs", "libpq"], check=True,
                                   stdout=subprocess.PIPE, text=True).stdout.split()
            cc = shutil.which("cc") or shutil.which("gcc") or "c++"  # (the file is C and C++)
            subprocess.run([cc, "-O2", "-o", out, os.path.join(HERE, "libpq_select.c")] + flags,
                           check=True)
        except (OSError, subprocess.CalledProcessError) as e:
            log(f"read-only: no libpq floor ({e})")
            return None
        return out

    def readonly(self):
        # For scale: psql connecting and reading the version row, the least a
        # command that asks the database can cost.
        db = self.url(f"up_runner_{self.sizes[0]}")
        f = self.r.compare({"x": dict(argv=["psql", "-X", "-q", "-A", "-t", "-d", db, "-c",
                                            'SELECT version_num FROM "public"."bench_version"'])})["x"]
        self.put("psql_select", 0, f.median, f.raw)
        self.put("psql_select_cpu", 0, f.cpu)
        # And the floor of any libpq client: a C program that connects and
        # runs the same query (psql is a Perl wrapper on Debian).
        client = self.libpq_client()
        if client:
            f = self.r.compare({"x": dict(argv=[client, db,
                                                'SELECT version_num FROM "public"."bench_version"'])})["x"]
            self.put("libpq_select", 0, f.median, f.raw)
            self.put("libpq_select_cpu", 0, f.cpu)
        # The floor of every runner command: starting the process (the runner and
        # the shared libraries libpqxx brings, about thirty) and printing --help.
        for n in self.sizes:
            f = self.r.compare({"x": dict(argv=[self.runner(n), "--help"])})["x"]
            self.put("start_runner", n, f.median, f.raw)
            self.put("start_runner_cpu", n, f.cpu)
        for n in self.sizes:
            ini = os.path.join(self.alembic_dir(n), "alembic.ini")
            alembic = ["alembic", "-c", ini]
            runner = self.runner(n)
            db_runner = self.url(f"up_runner_{n}")
            db_alembic = {"BENCH_DATABASE_URL": self.url(f"up_alembic_{n}")}
            commands = {
                "heads": ([runner, "heads"], alembic + ["heads"], None),
                "history": ([runner, "history"], alembic + ["history"], None),
                "upgrade_sql": ([runner, "upgrade", "--sql"], alembic + ["upgrade", "head", "--sql"], None),
                "current": ([runner, "--url", db_runner, "current"], alembic + ["current"], db_alembic),
                "check": ([runner, "--url", db_runner, "check"],
                          ["/usr/bin/python3", os.path.join(HERE, "alembic_check.py"), ini], db_alembic),
            }
            for name, (mt, al, env) in commands.items():
                if name == "upgrade_sql" and not self.has_sql:
                    continue
                log(f"read-only: {name} at {n} migrations")
                cases = {"runner": dict(argv=mt), "alembic": dict(argv=al, env=env)}
                if self.args.no_alembic:
                    del cases["alembic"]
                res = self.r.compare(cases)
                for k, f in res.items():
                    self.put(f"{name}_{k}", n, f.median, f.raw)
                    self.put(f"{name}_{k}_cpu", n, f.cpu)
                    self.put(f"{name}_{k}_rss", n, f.rss)

    # ---- report ------------------------------------------------------------
    def machine(self):
        cpu = "?"
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
        mem = "?"
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal"):
                    mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
        def tool(argv):
            try:
                return subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                      text=True).stdout.strip().splitlines()[0]
            except Exception:
                return "?"
        commit = tool(["git", "-C", REPO, "rev-parse", "--short", "HEAD"])
        dirty = subprocess.run(["git", "-C", REPO, "status", "--porcelain", "--", "src", "include",
                                "cmake"], stdout=subprocess.PIPE, text=True).stdout.strip()
        return {
            "date": datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
            "nproc": os.cpu_count(),
            "cpu": cpu,
            "memory": mem,
            "kernel": platform.release(),
            "load": " ".join(f"{x:.1f}" for x in os.getloadavg()),
            "postgres": tool(["psql", "--version"]),
            "alembic": tool(["alembic", "--version"]),
            "cmake": tool(["cmake", "--version"]),
            "compiler": tool(["c++", "--version"]),
            "commit": commit + (" + uncommitted changes" if dirty else "") +
                      f" (sources copied at the start of the run, digest {self.product_digest})",
        }

    def report(self, m):
        R, S = self.results, self.sizes
        out = []

        def fmt_t(s):
            if s is None:
                return "–"
            if s < 1:
                return f"{s * 1000:.1f} ms" if s < 0.1 else f"{s * 1000:.0f} ms"
            return f"{s:.2f} s"

        def fmt_kb(kb):
            return "–" if kb is None else f"{kb / 1024:.1f} MB"

        def ratio(a, b):
            return "–" if a is None or b is None or b == 0 else f"{a / b:.2f}x"

        def get(key, n):
            return R.get(key, {}).get(n)

        def t(key, n):
            """A median, marked when it has fewer runs than asked for."""
            v = get(key, n)
            k = len(self.raw.get(key, {}).get(n, []))
            few = v is not None and 0 < k < self.args.runs and not key.startswith("build_full")
            if few:
                self.few_runs = True
            return fmt_t(v) + (f" ({k} run{'s' if k > 1 else ''})" if few else "")

        def paired(a, b, n):
            """The median of the ratios a/b of the runs of one round: the two
            ran one after the other, so the machine's load hit both alike."""
            ra, rb = self.raw.get(a, {}).get(n), self.raw.get(b, {}).get(n)
            if not ra or not rb:
                return None
            return statistics.median(x / y for x, y in zip(ra, rb))

        def fmt_ratio(r):
            return "–" if r is None else f"{r:.2f}x"

        def verdict(value, limit):
            return "met" if value <= limit else "**missed**"

        def size(n):
            return f"{n:,}"

        out.append(f"Date: {m['date']}. Machine: {m['nproc']} CPUs (`nproc`), {m['cpu']}, "
                   f"{m['memory']} memory, Linux {m['kernel']}; load average (1, 5, 15 min) when "
                   f"the run started: {self.load_start}, when it ended: {m['load']}.  ")
        out.append(f"Software: {m['postgres']}, {m['alembic']}, {m['cmake']}, {m['compiler']}. "
                   f"MigrationTools at {m['commit']}, runners built as {self.args.build_type}.  ")
        out.append(f"Each time is the median wall-clock time of {self.args.runs} run(s) after "
                   f"{self.args.warmup} warm-up run(s), {self.nice}; *CPU* is the median user + "
                   f"system time of the client process (the server's work is not in it), which "
                   f"the machine's load hardly changes. Peak RSS is from the warm-up run "
                   f"(`/usr/bin/time -f %M`). Starting and waiting for a process costs the timer "
                   f"{fmt_t(get('spawn', 0))} (`/bin/true`).")
        out.append("")

        # 1. Upgrade
        out.append("### 1. Upgrade: N linear migrations into a fresh database")
        out.append("")
        out.append("| migrations | psql (floor) | psql, + history row | psql, runner's `--sql` script "
                   "| runner | Alembic | runner / psql | runner / psql + history | runner / Alembic "
                   "| runner CPU | runner RSS | Alembic RSS | goal: runner ≤ 1.10x psql at 1k |")
        out.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
        for n in S:
            rp, rh, ra = (paired("upgrade_runner", f"upgrade_{k}", n) for k in ("psql", "history", "alembic"))
            goal = "–"
            if n in UPGRADE_GOAL and rp:
                goal = verdict(rp, UPGRADE_GOAL[n]) + f" ({rp:.2f}x)"
            out.append(f"| {size(n)} | {t('upgrade_psql', n)} | {t('upgrade_history', n)} | "
                       f"{t('upgrade_script', n)} | {t('upgrade_runner', n)} | {t('upgrade_alembic', n)} | "
                       f"{fmt_ratio(rp)} | {fmt_ratio(rh)} | {fmt_ratio(ra)} | "
                       f"{fmt_t(get('upgrade_runner_cpu', n))} | "
                       f"{fmt_kb(get('upgrade_runner_rss', n))} | "
                       f"{fmt_kb(get('upgrade_alembic_rss', n))} | {goal} |")
        out.append("")
        runs = {len(v) for k, d in self.raw.items() if k.startswith("upgrade_") for v in d.values()}
        out.append("*psql, + history row*: the floor plus the history row the runner writes in each "
                   "migration's transaction, i.e. the statements the runner sends, run by psql. "
                   f"Upgrades are timed {max(runs) if runs else 0} time{'' if runs and max(runs) == 1 else 's'}; "
                   "the ratios are the "
                   "medians of the ratios within a round (the tools of one round run one after "
                   "the other, so that a change of the machine's load hits both alike).")
        out.append("")

        # 1b. Over a network
        n0 = S[0]
        if get("remote_runner", n0) is not None:
            out.append("### 1b. Upgrade over a network")
            out.append("")
            out.append("| migrations | round trip | psql (floor) | psql, + history row | runner "
                       "| runner / psql | runner / psql + history |")
            out.append("|---:|---:|---:|---:|---:|---:|---:|")
            out.append(f"| {size(n0)} | {fmt_t(get('remote_round_trip', n0))} | "
                       f"{t('remote_psql', n0)} | {t('remote_history', n0)} | "
                       f"{t('remote_runner', n0)} | "
                       f"{fmt_ratio(paired('remote_runner', 'remote_psql', n0))} | "
                       f"{fmt_ratio(paired('remote_runner', 'remote_history', n0))} |")
            out.append("")
            out.append("The same upgrade through `latency_proxy.py`, a TCP proxy that delays "
                       f"everything by {self.args.remote_delay_ms} ms each way (asyncio's timers "
                       "round that up to about a millisecond): a database one network hop away. "
                       "*round trip*: one `SELECT 1` through it. psql sends each statement of a "
                       "migration on its own; the runner sends a migration's first statement with "
                       "its BEGIN and its last with the bookkeeping and COMMIT.")
            out.append("")

        # 2. Read-only
        out.append("### 2. Read-only commands")
        out.append("")
        out.append("| command | migrations | runner | Alembic | runner / Alembic | runner CPU "
                   "| runner RSS | Alembic RSS | goal (time) | goal (RSS ≤ 30 MB at 10k) |")
        out.append("|---|---:|---:|---:|---:|---:|---:|---:|---|---|")
        names = {"heads": ("heads", "`heads`", NO_DB_GOAL),
                 "history": ("history", "`history`", NO_DB_GOAL),
                 "upgrade_sql": ("upgrade --sql", "`upgrade head --sql`", NO_DB_GOAL),
                 "current": ("current", "`current`", DB_GOAL),
                 "check": ("check", "`alembic_check.py`", DB_GOAL)}
        for key, (label, alembic_label, goals) in names.items():
            for n in S:
                r, a = get(f"{key}_runner", n), get(f"{key}_alembic", n)
                if r is None:
                    continue
                rss = get(f"{key}_runner_rss", n)
                g1 = (verdict(r, goals[n]) + f" (≤ {goals[n] * 1000:.0f} ms)") if n in goals else "–"
                g2 = (verdict(rss, RSS_GOAL_KB[n])) if n in RSS_GOAL_KB and rss else "–"
                out.append(f"| `{label}` | {size(n)} | {t(f'{key}_runner', n)} | "
                           f"{t(f'{key}_alembic', n)} | {ratio(r, a)} | {fmt_t(get(f'{key}_runner_cpu', n))} | "
                           f"{fmt_kb(rss)} | {fmt_kb(get(f'{key}_alembic_rss', n))} | {g1} | {g2} |")
        out.append("")
        starts = ", ".join(f"{fmt_t(get('start_runner', n))} at {size(n)}" for n in S)
        floor = get("libpq_select", 0)
        libpq = (f" A C program on libpq alone that connects and runs the same query "
                 f"(`bench/libpq_select.c`, the floor of `current` and `check`) takes "
                 f"{fmt_t(floor)} ({fmt_t(get('libpq_select_cpu', 0))} CPU).") if floor else ""
        out.append(f"For scale: `psql -X -c 'SELECT version_num FROM ...'` (connect, one query) "
                   f"takes {fmt_t(get('psql_select', 0))} here ({fmt_t(get('psql_select_cpu', 0))} "
                   f"CPU).{libpq} Starting the runner and printing `--help`, the floor of every command "
                   f"(the runner you run binds libc alone; the commands that need a database "
                   f"start `<name>-online`, which loads libpq): {starts}. Alembic's `check` "
                   f"counterpart is `alembic_check.py` "
                   f"(Alembic 1.8 has no `check`).")
        out.append("")

        # 3. CMake
        out.append("### 3. CMake")
        out.append("")
        cols = [0] + S
        out.append("| | " + " | ".join(f"{size(n)}" for n in cols) + " | goal |")
        out.append("|---|" + "---:|" * len(cols) + "---|")

        def row(label, key, goal_fn=None, base=None):
            cells = []
            for n in cols:
                v = get(key, n)
                if v is not None and base is not None:
                    b = get(base, 0)
                    v = None if b is None else v - b
                    cells.append("–" if v is None or n == 0 else
                                 ("+" if v >= 0 else "−") + fmt_t(abs(v)))
                else:
                    cells.append(fmt_t(v))
            out.append(f"| {label} | " + " | ".join(cells) + f" | {goal_fn() if goal_fn else ''} |")

        def configure_goal(key):
            def g():
                parts = []
                for n, limit in CONFIGURE_GOAL.items():
                    v, b = get(key, n), get(key, 0)
                    if v is not None and b is not None:
                        parts.append(f"{size(n)}: {verdict(v - b, limit)} (≤ {limit} s)")
                return "; ".join(parts) or "–"
            return g

        def incremental_goal():
            parts = []
            for n, limit in INCREMENTAL_GOAL.items():
                v = get("build_incremental", n)
                if v is not None:
                    parts.append(f"{size(n)}: {verdict(v, limit)} (≤ {limit:.0f} s)")
            return "; ".join(parts) or "–"

        row("configure, fresh build tree", "configure_fresh")
        row("  overhead over 0 migrations", "configure_fresh", configure_goal("configure_fresh"),
            base="configure_fresh")
        row("configure again, existing tree", "configure_again")
        row("  overhead over 0 migrations", "configure_again", configure_goal("configure_again"),
            base="configure_again")
        row(f"full build from clean (MigrationTools libraries + runner; "
            f"{self.args.runs if self.args.full else 1} run)", "build_full")
        row("runner build (libraries already built)", "build_runner")
        row("incremental: add one migration, `cmake --build`", "build_incremental", incremental_goal)
        row("no-op `cmake --build`", "build_noop")
        out.append("")
        sc = get("scanner_first_configure", 0)
        out.append(f"Not in the table: the first configure of a build tree also compiles the "
                   f"scanner (`migration_tools_scan`){': ' + fmt_t(sc) + ' in all, at 0 migrations' if sc else ''}; "
                   f"the measured trees reuse that scanner (`-DMIGRATION_TOOLS_SCANNER`). Without it, "
                   f"every configure also checks that the scanner is up to date: "
                   f"{fmt_t(get('scanner_check', 0))}.")
        out.append("")

        # 4. Growth
        out.append("### 4. Growth")
        out.append("")
        out.append("The cost of each added migration between two sizes (the difference of the "
                   "medians divided by the difference of the sizes). Linear growth keeps it flat "
                   "from interval to interval; a cost that rises with the size is worse than "
                   "linear. Fixed costs (process start, connecting) cancel out; on a busy machine "
                   "the small intervals are noisy.")
        out.append("")
        pairs = list(zip(S, S[1:]))
        if pairs:
            out.append("| figure | " + " | ".join(f"{size(a)} → {size(b)}" for a, b in pairs) +
                       f" | {size(S[-1])} / {size(S[-2])} |")
            out.append("|---|" + "---:|" * len(pairs) + "---:|")
            growth = [("upgrade, psql", "upgrade_psql"), ("upgrade, psql + history row", "upgrade_history"),
                      ("upgrade, runner", "upgrade_runner"),
                      ("upgrade, Alembic", "upgrade_alembic")]
            for key, (label, _, _) in names.items():
                growth += [(f"`{label}`, runner", f"{key}_runner"), (f"`{label}`, Alembic", f"{key}_alembic")]
            growth += [("configure, fresh tree", "configure_fresh"),
                       ("configure again", "configure_again"),
                       ("runner build", "build_runner"),
                       ("incremental rebuild", "build_incremental"),
                       ("no-op build", "build_noop")]
            for label, key in growth:
                cells = []
                for a, b in pairs:
                    va, vb = get(key, a), get(key, b)
                    per = None if va is None or vb is None else (vb - va) / (b - a)
                    cells.append("–" if per is None else f"{per * 1e3:.2f} ms" if abs(per) >= 1e-3
                                 else f"{per * 1e6:.1f} µs")
                va, vb = get(key, S[-2]), get(key, S[-1])
                cells.append(ratio(vb, va))
                out.append(f"| {label} | " + " | ".join(cells) + " |")
            rss_rows = [(f"peak RSS of `{label}`, runner", f"{key}_runner_rss") for key, (label, _, _) in names.items()]
            for label, key in rss_rows:
                cells = []
                for a, b in pairs:
                    va, vb = get(key, a), get(key, b)
                    cells.append("–" if va is None or vb is None else
                                 f"{(vb - va) / (b - a) * 1024:.0f} bytes")
                va, vb = get(key, S[-2]), get(key, S[-1])
                cells.append(ratio(vb, va))
                out.append(f"| {label} | " + " | ".join(cells) + " |")
        else:
            out.append("(Growth needs at least two sizes; this run had one.)")
        out.append("")
        if self.few_runs:
            out.append(f"(*k* runs): a figure whose {self.args.runs} runs would have taken more "
                       f"than {self.args.max_seconds:.0f} s had fewer runs (`--max-seconds`).")
            out.append("")
        if not self.has_sql:
            out.append("The runner has no `upgrade --sql` yet: its rows are left out; they appear "
                       "once the command exists.")
        return "\n".join(out)

    def run(self):
        t0 = time.time()
        self.put("spawn", 0, self.r.compare({"x": dict(argv=["/bin/true"], rss=False)}, runs=20)["x"][0])
        self.tune_server()
        self.snapshot()
        self.generate()
        sections = self.args.sections
        if "cmake" in sections:
            self.cmake()
        else:
            self.build_runners()
        self.say_how_runners_check_sources()
        if "upgrade" in sections:
            self.upgrade()
        if "remote" in sections:
            self.remote()
        if "readonly" in sections:
            self.readonly()
        m = self.machine()
        text = self.report(m)
        with open(os.path.join(self.work, "results.md"), "w") as f:
            f.write(text + "\n")
        with open(os.path.join(self.work, "results.json"), "w") as f:
            json.dump({"machine": m, "args": vars(self.args), "results": {
                k: {str(n): v for n, v in d.items()} for k, d in self.results.items()},
                "raw": {k: {str(n): v for n, v in d.items()} for k, d in self.raw.items()}}, f, indent=1)
        print(text)
        log(f"done in {time.time() - t0:.0f} s; results in {self.work}/results.md and results.json")
        if self.args.readme:
            update_readme(self.args.readme, text)
            log(f"wrote the results into {self.args.readme}")


def update_readme(path, text):
    begin, end = "<!-- results:begin -->", "<!-- results:end -->"
    with open(path) as f:
        readme = f.read()
    if begin not in readme or end not in readme:
        raise BenchError(f"{path} has no {begin} ... {end} markers")
    head, rest = readme.split(begin, 1)
    _, tail = rest.split(end, 1)
    with open(path, "w") as f:
        f.write(head + begin + "\n" + text + "\n" + end + tail)


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--work", required=True)
    p.add_argument("--pg-dir", required=True)
    p.add_argument("--sizes", type=lambda s: sorted({int(x) for x in s.split(",")}), default=[100, 1000, 10000])
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--warmup", type=int, default=1)
    p.add_argument("--max-seconds", type=float, default=120,
                   help="fewer runs for a figure whose runs would take longer than this")
    p.add_argument("--upgrade-runs", type=int, default=9,
                   help="timed runs of the upgrades (at least --runs; their ratios are noisier)")
    p.add_argument("--full", action="store_true", help="repeat the full builds --runs times")
    p.add_argument("--sections", type=lambda s: s.split(","),
                   default=["cmake", "upgrade", "remote", "readonly"],
                   help="which of cmake, upgrade, remote and readonly to measure (readonly needs "
                        "upgrade)")
    p.add_argument("--remote-delay-ms", type=float, default=0.5,
                   help="the delay each way of the remote section's proxy")
    p.add_argument("--no-alembic", action="store_true", help="measure MigrationTools and psql only")
    p.add_argument("--smoke", action="store_true")
    p.add_argument("--build-type", default="Release")
    p.add_argument("--package", help="build the runners on MigrationTools installed under this "
                                     "prefix instead of its sources")
    p.add_argument("--readme", help="write the results into this README between the markers")
    args = p.parse_args()

    # The suite and everything it starts (cmake, ninja and its compilers, psql,
    # alembic) form a process group of their own; interrupted (run.sh passes
    # INT and TERM on), the suite ends that group, so that nothing outlives it.
    os.setpgid(0, 0)

    def stop(signum, frame):
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        os.killpg(os.getpgrp(), signal.SIGTERM)
        log("interrupted")
        sys.exit(128 + signum)
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        Suite(args).run()
    except BenchError as e:
        log(f"error: {e}")
        sys.exit(1)


if __name__ == "__main__":
    main()
