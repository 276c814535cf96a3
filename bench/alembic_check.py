#!/usr/bin/python3
"""Alembic's counterpart of the runner's `check`, for the benchmark.

Alembic 1.8 (Debian 12) has no `check` command, and the `alembic check` of
1.9+ compares models with the database (autogenerate), not revisions. This is
what the runner's `check` does, written with Alembic's API: exit 0 when the
scripts have one head and the database's version rows are exactly that head,
else 3.

    BENCH_DATABASE_URL=postgresql://... alembic_check.py path/to/alembic.ini
"""
import os
import sys

from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, pool

config = Config(sys.argv[1])
heads = set(ScriptDirectory.from_config(config).get_heads())
engine = create_engine(os.environ["BENCH_DATABASE_URL"], poolclass=pool.NullPool)
with engine.connect() as connection:
    current = set(MigrationContext.configure(connection).get_current_heads())
if len(heads) == 1 and current == heads:
    print(f"ok: the database is at {', '.join(sorted(heads))}")
    sys.exit(0)
print(f"problem: heads {sorted(heads)}, database at {sorted(current)}")
sys.exit(3)
