"""Map sizes and build times, on the database of DATABASE_URL (territories + seed loaded, or
the national bench `perf_bench_10000`, read only).

Prints, for each map document: its size in bytes, its cold time (median of COLD_RUNS, every
cache and the process memo emptied before each; the process itself warmed up once) and its
cached time, and against the issue's targets (issue 16) the ratio measured / target
(<= 1.00 meets it): explorer map document <= 1.5 MB and cold <= 3 s at national scale,
/territoires/region-32/ <= 300 ms cold on the seed. The "before" column is this same bench
run on the code of commit 7250097 against perf_bench_10000 (see BEFORE), for comparison only
(it is the national figure even when DATABASE_URL is the seed).

Also prints the geometry resources the explorer maps fetch (/cartes/geometrie/<niveau>.geojson:
raw and gzipped bytes, cold build): one per level, whatever the selection, cached by the
browser under its versioned URL.
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.dev")

import django  # noqa: E402

django.setup()

from django.core.cache import caches  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client, RequestFactory  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from maps.services.render import LEVELS  # noqa: E402
from portal import map_data  # noqa: E402
from portal.views import coverage_maps as coverage_views  # noqa: E402
from portal.views import project_maps as map_views  # noqa: E402
from projects.models import ProjectPage  # noqa: E402
from projects.selection import forget_remembered  # noqa: E402

MB = 1_000_000
COLD_RUNS = 3
DOCUMENT_BUDGET = 1.5 * MB
COLD_BUDGET_MS = 3000
REGION_PAGE_BUDGET_MS = 300
#: More live projects than this: a national bench database, not the seed.
NATIONAL_FROM = 1000
#: This bench run on the code of 7250097 (the explorer maps embedded their polygons, the
#: territory page counted DISTINCT coverage rows), perf_bench_10000, load average 4.8-8.1:
#: (bytes, cold ms). /territoires/region-32/ was 857 ms cold on the seed (load 8.0).
BEFORE = {
    "/cartes/projets/carte/": (661_909, 3056),
    "/cartes/projets/carte/?niveau=departement": (484_232, 4045),
    "/cartes/projets/carte/?niveau=commune": (1_877_720, 4166),
    "/cartes/projets/carte/?programme=faad": (663_657, 2290),
    "/cartes/projets/carte/?territoire=59172": (585_216, 597),
    "/territoires/region-32/": (86_223, 45_674),
}


def clear_all() -> None:
    for cache in caches.all():
        cache.clear()
    forget_remembered()


def timed(call):
    start = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        response = call()
        if hasattr(response, "render"):
            response.render()
    return response, (time.perf_counter() - start) * 1000, len(queries)


def ratio(value, target) -> str:
    return f"{value / target:5.2f}×{'' if value <= target else ' OVER'}"


def measure(label, call, *, size_budget=None, cold_budget=None, before=None):
    colds = []
    for _run in range(COLD_RUNS):
        clear_all()
        response, cold, cold_queries = timed(call)
        colds.append(cold)
    _again, warm, warm_queries = timed(call)
    size, cold = len(response.content), statistics.median(colds)
    line = (f"{label:<46} {size:>10,} B  cold {cold:6.0f} ms ({cold_queries:2d} q)  "
            f"cached {warm:5.0f} ms ({warm_queries:2d} q)")
    if size_budget:
        line += f"  size/{size_budget / MB:.1f} MB {ratio(size, size_budget)}"
    if cold_budget:
        line += f"  cold/{cold_budget} ms {ratio(cold, cold_budget)}"
    if before:
        line += f"  [before {before[0]:,} B, {before[1]} ms]"
    print(line, flush=True)
    return (not size_budget or size <= size_budget) and (not cold_budget or cold <= cold_budget)


def measure_geometry(level: str, detail: bool) -> None:
    client = Client()
    url = map_data.geometry_url(level, detail)
    clear_all()
    start = time.perf_counter()
    plain = client.get(url)
    cold = (time.perf_counter() - start) * 1000
    gzipped = client.get(url, HTTP_ACCEPT_ENCODING="gzip")
    print(f"geometry {url:<46} {len(plain.content):>10,} B raw, {len(gzipped.content):>9,} B "
          f"gzip  cold {cold:6.0f} ms  {gzipped['Cache-Control']}", flush=True)


def main() -> int:
    factory, client = RequestFactory(), Client()
    print(f"database: {connection.settings_dict['NAME']} ({connection.vendor}), projects: "
          f"{ProjectPage.objects.live().count()}, load average: "
          f"{' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    # Warm the process (imports, templates, connections): "cold" below means empty caches.
    map_views.explorer_map(factory.get("/cartes/projets/carte/?niveau=departement&warm=1"))
    client.get("/territoires/region-11/")
    ok = True
    for url, before in BEFORE.items():
        if url.startswith("/cartes/projets/carte/"):
            ok &= measure(
                f"explorer map {url.removeprefix('/cartes/projets/carte/') or '(EPCI)'}",
                lambda url=url: map_views.explorer_map(factory.get(url)),
                size_budget=DOCUMENT_BUDGET, cold_budget=COLD_BUDGET_MS, before=before)
    for level in LEVELS:
        measure_geometry(level, False)
    measure_geometry("epci", True)
    # The region page's target (≤ 300 ms cold) is the seed's; at national scale it is shown
    # for comparison, without a target.
    national = ProjectPage.objects.live().count() > NATIONAL_FROM
    ok &= measure("/territoires/region-32/" + (" (no target nationally)" if national else ""),
                  lambda: client.get("/territoires/region-32/"),
                  cold_budget=None if national else REGION_PAGE_BUDGET_MS,
                  before=BEFORE["/territoires/region-32/"])
    measure("coverage map of the region, FAAD", lambda: coverage_views.coverage_map(
        factory.get("/cartes/couverture/carte/?programme=faad")), size_budget=5 * MB)
    savourer = ProjectPage.objects.filter(slug="1000-jours-pour-savourer-la-vie").first()
    if savourer:
        measure("project map, 1 000 jours pour savourer la vie", lambda: map_views.project_map(
            factory.get(f"/cartes/projet/{savourer.pk}/"), savourer.pk))
    print("pages: the HTML around the map (tables, form), not the map document")
    measure("explorer page, all projects", lambda: map_views.explorer(factory.get(
        "/cartes/projets/")))
    print(f"load average: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
