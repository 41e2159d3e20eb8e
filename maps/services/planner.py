"""The database planner's statistics after a bulk load.

PostgreSQL plans from per-table statistics that autovacuum refreshes some time after a
large write. Until then, a freshly loaded database is planned as if its tables were nearly
empty: measured on a seed just loaded, `/territoires/region-32/` took 746 ms cold, 169 ms once
analysed (and 539 → 31 ms for a national listing). The bulk loaders (`load_territories`,
`load_seed`, `restore`) therefore analyse once at the end. SQLite keeps its own plans: nothing
to do there.
"""

import time

from django.db import connection


def refresh_statistics() -> float | None:
    """ANALYZE the whole database on PostgreSQL; the seconds it took, or None elsewhere."""
    if connection.vendor != "postgresql":
        return None
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return time.perf_counter() - started
