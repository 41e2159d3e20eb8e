"""Benchmark of the territory backbone on PostgreSQL, in a database of its own
(`bench_territories` on DATABASE_URL's server, recreated at each run): the full cold load of
the reference territories, the idempotent re-load, and the two containment queries every page
relies on (ancestors of a commune; communes of a département). Prints times; asserts nothing.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RUNS = 50


def main() -> None:
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith(("postgres://", "postgresql://")):
        print("territories_bench: needs DATABASE_URL on PostgreSQL; skipped")
        return
    import psycopg

    parts = urlsplit(base)
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS bench_territories")
        conn.execute("CREATE DATABASE bench_territories")
    os.environ["DATABASE_URL"] = urlunsplit(parts._replace(path="/bench_territories"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from maps.models import Scale, Territory
    from maps.services.import_territories import load_reference_territories

    call_command("migrate", verbosity=0)
    start = time.perf_counter()
    report = load_reference_territories()
    print(f"cold load: {time.perf_counter() - start:.1f} s ({report})")
    start = time.perf_counter()
    report = load_reference_territories()
    print(f"re-load (nothing changes): {time.perf_counter() - start:.1f} s ({report})")

    raismes = Territory.objects.get(scale=Scale.COMMUNE, code="59491")
    nord = Territory.objects.get(scale=Scale.DEPARTEMENT, code="59")
    for label, query in (
        ("ancestors of Raismes", lambda: list(raismes.ancestors.values_list("code", flat=True))),
        ("communes of the Nord", lambda: list(
            nord.descendants.filter(scale=Scale.COMMUNE).values_list("code", flat=True))),
    ):
        times = []
        for _ in range(RUNS):
            start = time.perf_counter()
            rows = query()
            times.append((time.perf_counter() - start) * 1000)
        times.sort()
        print(f"{label}: {len(rows)} rows, median {statistics.median(times):.2f} ms, "
              f"p95 {times[int(len(times) * 0.95) - 1]:.2f} ms")
    connection.close()


if __name__ == "__main__":
    main()
