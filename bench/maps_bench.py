"""Map sizes and build times, on the database of DATABASE_URL (territories + seed loaded).

Prints, for each map document: HTML size against its budget, cold build time (empty cache)
and cached time (same URL again: one query for the data version, then the cache). Budgets
(the issue): explorer map of all seed projects with the EPCI choropleth <= 1.5 MB; commune
coverage map of the region <= 5 MB.
"""

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.dev")

import django  # noqa: E402

django.setup()

from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import RequestFactory  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from portal.views import coverage_maps as coverage_views  # noqa: E402
from portal.views import project_maps as map_views  # noqa: E402
from projects.models import ProjectPage  # noqa: E402

MB = 1_000_000
PAGE_SIZE_NOTE = "pages: the HTML around the map (tables, form), not the map document"


def measure(label, view, url, budget=None, *args):
    factory = RequestFactory()
    cache.clear()
    start = time.perf_counter()
    with CaptureQueriesContext(connection) as cold_queries:
        response = view(factory.get(url), *args)
        if hasattr(response, "render"):
            response.render()
    cold = time.perf_counter() - start
    start = time.perf_counter()
    with CaptureQueriesContext(connection) as warm_queries:
        again = view(factory.get(url), *args)
        if hasattr(again, "render"):
            again.render()
    warm = time.perf_counter() - start
    size = len(response.content)
    verdict = ""
    if budget:
        verdict = f"budget {budget / MB:.1f} MB: {'OK' if size <= budget else 'OVER'}"
    print(f"{label:<52} {size / MB:7.3f} MB  cold {cold * 1000:7.0f} ms "
          f"({len(cold_queries):2d} q)  cached {warm * 1000:6.0f} ms ({len(warm_queries):2d} q)"
          f"  {verdict}", flush=True)
    return size <= budget if budget else True


def main() -> int:
    print(f"database: {connection.vendor}, projects: {ProjectPage.objects.live().count()}")
    savourer = ProjectPage.objects.filter(slug="1000-jours-pour-savourer-la-vie").first()
    ok = True
    ok &= measure("explorer map, all projects, EPCI choropleth", map_views.explorer_map,
                  "/cartes/projets/carte/", 1.5 * MB)
    measure("explorer map, all projects, départements", map_views.explorer_map,
            "/cartes/projets/carte/?niveau=departement")
    measure("explorer map, all projects, communes", map_views.explorer_map,
            "/cartes/projets/carte/?niveau=commune")
    measure("explorer map, FAAD, EPCI", map_views.explorer_map,
            "/cartes/projets/carte/?programme=faad")
    ok &= measure("coverage map of the region, all programmes", coverage_views.coverage_map,
                  "/cartes/couverture/carte/", 5 * MB)
    ok &= measure("coverage map of the region, FAAD", coverage_views.coverage_map,
                  "/cartes/couverture/carte/?programme=faad", 5 * MB)
    if savourer:
        measure("project map, 1 000 jours pour savourer la vie", map_views.project_map,
                f"/cartes/projet/{savourer.pk}/", None, savourer.pk)
    print(PAGE_SIZE_NOTE)
    measure("explorer page, all projects", map_views.explorer, "/cartes/projets/")
    measure("coverage page, FAAD", coverage_views.coverage, "/cartes/couverture/?programme=faad")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
