"""The lint on a real public project's migrations, side by side with squawk
(bench/lint_real.sh runs it). The project: PostgreSQL's own contrib
extensions, whose update scripts (`<extension>--<from>--<to>.sql`, shipped by
Debian's postgresql-15 in /usr/share/postgresql/15/extension) are the
migrations of each extension's objects from one version to the next, written
by the PostgreSQL developers and run on every `ALTER EXTENSION ... UPDATE`.

Each script becomes one migration (upgrade only), in name order, as the
server reads it: the psql guard line (`\\echo ... \\quit`) left out and
`@extschema@` replaced by a schema name, as ALTER EXTENSION does. Both tools
read the same generated files; findings are counted by rule.
"""
import argparse
import collections
import glob
import json
import os
import re
import subprocess
import sys


def run(argv, stdout=subprocess.DEVNULL, ok=(0,)):
    r = subprocess.run(argv, stdout=stdout, stderr=subprocess.PIPE, text=True)
    if r.returncode not in ok:
        sys.exit(f"lint_real.py: {' '.join(argv)} exited {r.returncode}:\n{r.stderr}")
    return r


def main():
    p = argparse.ArgumentParser()
    for a in ("--work", "--package", "--squawk", "--readme", "--scripts"):
        p.add_argument(a)
    a = p.parse_args()
    # An extension directory's update scripts, or any directory's SQL files.
    scripts = sorted(glob.glob(f"{a.scripts}/*--*--*.sql")) or sorted(glob.glob(f"{a.scripts}/*.sql"))
    if not scripts:
        sys.exit(f"lint_real.py: no update scripts in {a.scripts}")
    project, build = f"{a.work}/project", f"{a.work}/build"
    os.makedirs(f"{project}/migrations", exist_ok=True)
    for old in glob.glob(f"{project}/migrations/*.sql"):
        os.remove(old)
    with open(f"{project}/CMakeLists.txt", "w") as f:
        f.write("cmake_minimum_required(VERSION 3.18)\nproject(lint_real LANGUAGES CXX)\n"
                "find_package(MigrationTools CONFIG REQUIRED)\nadd_migrations(contrib LINT OFF)\n")
    parent = "none"
    for i, path in enumerate(scripts, 1):
        body = open(path, encoding="utf-8").read()
        body = "\n".join(line for line in body.split("\n") if not line.startswith("\\echo"))
        body = body.replace("@extschema@", "ext")
        name = os.path.basename(path)
        with open(f"{project}/migrations/{i:04d}_{re.sub(r'[^A-Za-z0-9_.-]', '_', name)}", "w") as f:
            f.write(f"-- migrate:revision c{i:04d}\n-- migrate:down_revision {parent}\n"
                    f"-- migrate:message {name}\n\n-- migrate:upgrade\n{body}\n")
        parent = f"c{i:04d}"
    run(["cmake", "-S", project, "-B", build, "-G", "Ninja", "-DCMAKE_BUILD_TYPE=Release",
         f"-DCMAKE_PREFIX_PATH={a.package}"])
    run(["cmake", "--build", build])
    files = sorted(glob.glob(f"{project}/migrations/*.sql"))
    ours = json.loads(run([f"{build}/contrib", "--format", "json", "lint", "--warn-only"],
                          stdout=subprocess.PIPE).stdout)["findings"]
    theirs = json.loads(run([a.squawk, "--reporter", "json", *files], stdout=subprocess.PIPE,
                            ok=(0, 1)).stdout or "[]")
    our_rules = collections.Counter(f["rule"] for f in ours)
    their_rules = collections.Counter(f["rule_name"] for f in theirs)
    # Per rule, which files each tool flags: the same statements or not.
    our_files = collections.defaultdict(set)
    their_files = collections.defaultdict(set)
    for f in ours:
        our_files[f["rule"]].add(os.path.basename(f["file"]))
    for f in theirs:
        their_files[f["rule_name"]].add(os.path.basename(f["file"]))
    lines = [f"{len(scripts)} SQL files of {a.scripts}, one migration each; findings by rule, and "
             "in how many files.", "",
             "| rule | ours | squawk | files: ours / squawk / both |", "|---|---:|---:|---:|"]
    for r in sorted(set(our_rules) | set(their_rules)):
        both = len(our_files[r] & their_files[r])
        lines.append(f"| `{r}` | {our_rules.get(r, 0)} | {their_rules.get(r, 0)} | "
                     f"{len(our_files[r])} / {len(their_files[r])} / {both} |")
    lines.append(f"| all | {sum(our_rules.values())} | {len(theirs)} | |")
    text = "\n".join(lines)
    print(text)
    if a.readme:
        readme = open(a.readme).read()
        if "<!-- lint-real:begin -->" not in readme:
            sys.exit("lint_real.py: bench/README.md has no lint-real block")
        block = f"<!-- lint-real:begin -->\n{text}\n<!-- lint-real:end -->"
        readme = re.sub(r"<!-- lint-real:begin -->.*<!-- lint-real:end -->", lambda m: block, readme,
                        flags=re.S)
        with open(a.readme, "w") as f:
            f.write(readme)


if __name__ == "__main__":
    main()
