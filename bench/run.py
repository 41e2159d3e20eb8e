"""Run every benchmark of bench/ (each prints its own numbers). Not part of the test suite:
speed is measured here, never asserted in timed tests.

Databases, all on DATABASE_URL's PostgreSQL server, never the development or test ones:
- `listing`, `load`, `import` and `territories` make databases of their own (the national
  bench `perf_bench_10000`, created when missing: `listing_bench.py`);
- the benches that read the real seed (`maps`, `monitoring`, `publish`, `two_servers`) run on
  `bench_seed`: migrated, territories and seed loaded by the project's own commands, which
  are idempotent (on later runs they change nothing, in about 15 s) and end analysed;
- `maps` runs twice: on the seed (the region page's target) and on the national bench (the
  explorer map's targets).

    make bench                       # everything, about 8 minutes on 2 cores
"""

import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SEED_DATABASE = "bench_seed"
NATIONAL_DATABASE = "perf_bench_10000"
#: (script, database): None keeps DATABASE_URL (the script makes its own databases).
PLAN = [
    ("import_bench.py", None),
    ("listing_bench.py", None),
    ("load_bench.py", None),
    ("maps_bench.py", SEED_DATABASE),
    ("maps_bench.py", NATIONAL_DATABASE),
    ("monitoring_bench.py", SEED_DATABASE),
    ("publish_bench.py", SEED_DATABASE),
    ("territories_bench.py", None),
    ("two_servers_bench.py", SEED_DATABASE),
]


def on_server(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def ensure_seed_database(url: str, env: dict) -> None:
    """`bench_seed` as `make seed` leaves a database: created when missing, then migrate,
    load_territories and load_seed (each idempotent, each printing its summary)."""
    import psycopg

    name = urlsplit(url).path.lstrip("/")
    with psycopg.connect(on_server(url, "postgres"), autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
            print(f"created database {name}", flush=True)
    started = time.perf_counter()
    for command in (["migrate", "--noinput", "-v0"], ["load_territories"], ["load_seed"]):
        subprocess.run([sys.executable, "manage.py", *command], env={**env, "DATABASE_URL": url},
                       cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    print(f"seed database {name} ready in {time.perf_counter() - started:.0f} s", flush=True)


if __name__ == "__main__":
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    base = env.get("DATABASE_URL", "")
    if not base.startswith(("postgres://", "postgresql://")):
        print("bench: needs PostgreSQL (DATABASE_URL=postgres://…); `make bench` sets it")
        sys.exit(2)
    failed = 0
    seed_ready = False
    planned = {script for script, _database in PLAN}
    others = [(path.name, None) for path in sorted(HERE.glob("*_bench.py"))
              if path.name not in planned]  # a new bench runs too, on DATABASE_URL
    for script, database in [*PLAN, *others]:
        run_env = dict(env)
        if database is not None:
            run_env["DATABASE_URL"] = on_server(base, database)
        if database == SEED_DATABASE and not seed_ready:
            ensure_seed_database(run_env["DATABASE_URL"], env)
            seed_ready = True
        print(f"== {script}" + (f" (database {database})" if database else ""), flush=True)
        failed |= subprocess.call([sys.executable, str(HERE / script)], env=run_env, cwd=ROOT)
    outcome = "some failed" if failed else "all ran"
    print(f"bench: {len(PLAN) + len(others)} runs, {outcome}; load average "
          f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    sys.exit(failed)
