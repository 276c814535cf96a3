"""What the benchmark scripts share: running a step (exiting with its error
when it fails), writing a generated file, and replacing a block of
bench/README.md between <!-- NAME:begin --> and <!-- NAME:end -->."""
import os
import re
import subprocess
import sys


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def run(argv, env=None, stdout=subprocess.DEVNULL, who="bench"):
    r = subprocess.run(argv, env=env, stdout=stdout, stderr=subprocess.PIPE, text=True)
    if r.returncode != 0:
        sys.exit(f"{who}: {' '.join(argv[:6])} ... exited {r.returncode}:\n{r.stderr[-4000:]}")
    return r


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def replace_readme_block(path, name, text, who="bench"):
    readme = open(path).read()
    begin, end = f"<!-- {name}:begin -->", f"<!-- {name}:end -->"
    if begin not in readme:
        sys.exit(f"{who}: {path} has no {name} block")
    block = f"{begin}\n{text}\n{end}"
    readme = re.sub(re.escape(begin) + ".*" + re.escape(end), lambda m: block, readme, flags=re.S)
    with open(path, "w") as f:
        f.write(readme)


def cluster_url(cluster, pg_dir, db, who="bench"):
    """The URL of database `db` of the bench's cluster (tests/support/pg_cluster.sh), created if needed."""
    return run([cluster, "url", pg_dir, db], stdout=subprocess.PIPE, who=who).stdout.strip()


def build_runner(project, build, package, name, who="bench"):
    """A project of the migrations in PROJECT/migrations, whose runner `bench` is
    built in Release against the installed package; returns the runner's path."""
    write(f"{project}/CMakeLists.txt", f"cmake_minimum_required(VERSION 3.18)\nproject({name} "
          "LANGUAGES CXX)\nfind_package(MigrationTools CONFIG REQUIRED)\nadd_migrations(bench)\n")
    log("building the runner")
    run(["cmake", "-S", project, "-B", build, "-G", "Ninja", "-DCMAKE_BUILD_TYPE=Release",
         f"-DCMAKE_PREFIX_PATH={package}"], who=who)
    run(["cmake", "--build", build], who=who)
    return f"{build}/bench"
