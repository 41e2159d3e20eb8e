"""Monitoring dashboards: time, queries and size of /suivi/ pages and their CSV, and the
aggregation functions exports and the API call, on the database of DATABASE_URL (territories
and seed loaded).

Cold = empty cache (the grouped count of covered communes per département and EPCI is
computed); cached = the same page again (that count comes from the cache, keyed by the data
version). Everything else is computed on every request.
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
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from indicators.aggregation import programme_totals, project_key_figures  # noqa: E402
from projects.models import ProgrammePage, ProjectPage  # noqa: E402


def timed(call):
    start = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        result = call()
    return result, (time.perf_counter() - start) * 1000, len(queries)


def page(client, url):
    cache.clear()
    response, cold, cold_q = timed(lambda: client.get(url))
    assert response.status_code == 200, (url, response.status_code)
    _again, warm, warm_q = timed(lambda: client.get(url))
    print(f"{url:<48} {len(response.content) / 1000:7.1f} kB  cold {cold:6.0f} ms ({cold_q:2d} q)"
          f"  cached {warm:6.0f} ms ({warm_q:2d} q)", flush=True)


def main() -> int:
    print(f"database: {connection.vendor}, live projects: {ProjectPage.objects.live().count()}")
    client = Client()
    client.get("/suivi/")  # warm-up: URL resolvers, templates, translations
    programmes = list(ProgrammePage.objects.live().order_by("path"))
    for url in ["/suivi/", *(f"/suivi/{p.slug}/" for p in programmes),
                "/suivi/departements.csv", "/suivi/faad/indicateurs.csv", "/suivi/epci.csv"]:
        page(client, url)
    for programme in [None, *programmes]:
        totals, ms, queries = timed(lambda p=programme: programme_totals(p))
        name = programme.slug if programme else "all programmes"
        print(f"programme_totals({name}): {len(totals)} shared indicators, {ms:.0f} ms, "
              f"{queries} q")
    projects = list(ProjectPage.objects.live())
    start = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        groups = sum(len(project_key_figures(p)[0]) for p in projects)
    print(f"project_key_figures on {len(projects)} projects: {groups} indicator groups, "
          f"{(time.perf_counter() - start) * 1000:.0f} ms, {len(queries)} q "
          f"(one per project)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
