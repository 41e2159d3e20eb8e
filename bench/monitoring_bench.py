"""Monitoring pages "cold right after a publish", on any database.

What a visitor meets after staff publish a project: the publish itself refreshes the
precomputed monitoring tables (`indicators.precomputed`), bumps the data version, and the
cache is emptied here as well (the worst case: a new server, or every key out of date); then
the FIRST request to each /suivi/ page is timed, with its queries and size, then the same
page again (cached). Targets (issue 15): under 300 ms at seed scale, under 1 s at national
scale, at most 20 queries.

Pages are found in the database (every live programme, its current and previous campaign
years, one drill-down, the maps, two CSV files): nothing is hard-coded, so the script runs on
the seed database and on a synthetic one alike.

    DATABASE_URL=… python bench/monitoring_bench.py            # the database as it is
    python bench/monitoring_bench.py --national                # 10,000 synthetic projects

`--national` uses BENCH_DATABASE_URL, else the database `bench_monitoring` on DATABASE_URL's
server (created when missing): territories and 10,000 projects from bench/listing_bench.py's
generator, plus synthetic figures (three shared indicators, two years, one in four
validated) for every bench project, then a full rebuild of the monitoring tables (timed).

The publish is a real Wagtail publish of a new revision of one live project (its content
unchanged): the database gains a revision.
"""

from __future__ import annotations

import datetime
import os
import random
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

NATIONAL_DB = "bench_monitoring"
TARGET_SEED_MS = 300
TARGET_NATIONAL_MS = 1000
MAX_QUERIES = 20


def national_url() -> str | None:
    url = os.environ.get("BENCH_DATABASE_URL")
    if url:
        return url
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith(("postgres://", "postgresql://")):
        return None
    return urlunsplit(urlsplit(base)._replace(path=f"/{NATIONAL_DB}"))


def synthetic_figures() -> int:
    """Three shared indicators × two years for every bench project (idempotent)."""
    from indicators.models import IndicatorDefinition, IndicatorValue
    from projects.models import ProjectPage

    definitions = []
    for code, label, unit in (("bench-personnes", "Personnes accompagnées (banc)", "personnes"),
                              ("bench-repas", "Repas distribués (banc)", "repas"),
                              ("bench-ateliers", "Ateliers menés (banc)", "ateliers")):
        definition, _created = IndicatorDefinition.objects.get_or_create(
            code=code, defaults={"label": label, "unit": unit, "is_shared": True})
        definitions.append(definition)
    if IndicatorValue.objects.filter(definition__in=definitions).exists():
        return IndicatorValue.objects.filter(definition__in=definitions).count()
    rng = random.Random(15)
    rows = []
    for project_id in ProjectPage.objects.filter(slug__startswith="bench-").values_list(
            "pk", flat=True):
        for definition in definitions:
            for year in (2024, 2025):
                rows.append(IndicatorValue(
                    project_id=project_id, definition=definition, value=rng.randrange(1, 500),
                    period_start=datetime.date(year, 1, 1),
                    period_end=datetime.date(year, 12, 31),
                    status="validated" if rng.random() < 0.25 else "declared",
                    source_note="Synthétique (banc d’essai)"))
    IndicatorValue.objects.bulk_create(rows, batch_size=5000)
    return len(rows)


def prepare_national(url: str) -> None:
    import listing_bench

    listing_bench.ensure_database(url)
    listing_bench.setup_django(url)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    listing_bench.load_territories()
    listing_bench.generate(listing_bench.PROJECTS)
    figures = synthetic_figures()
    from indicators import precomputed

    started = time.perf_counter()
    report = precomputed.rebuild_all()
    print(f"national data: {figures} synthetic figures; full rebuild of the monitoring "
          f"tables {time.perf_counter() - started:.1f} s ({report})", flush=True)


def setup_default() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.dev")
    import django

    django.setup()


def timed(call):
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    # Django keeps the last 9,000 queries only: once a publish has filled that log, counting
    # by its length reads 0. Empty it before each measure.
    reset_queries()
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        result = call()
    return result, (time.perf_counter() - started) * 1000, len(queries)


def pages() -> list[str]:
    from indicators.campaign import campaign_years
    from indicators.models import IndicatorAggregate
    from projects.models import ProgrammePage

    urls = ["/suivi/"]
    programmes = list(ProgrammePage.objects.live().order_by("path"))
    for programme in programmes:
        urls.append(f"/suivi/{programme.slug}/")
        urls += [f"/suivi/{programme.slug}/{year}/" for year in campaign_years(programme)[-2:]]
    aggregate = (IndicatorAggregate.objects.filter(year=None, territory=None)
                 .select_related("programme", "definition").order_by("-validated_figures")
                 .first())
    if aggregate:
        urls.append(f"/suivi/{aggregate.programme.slug}/indicateurs/"
                    f"{aggregate.definition.code}/")
    urls += ["/suivi/departements.csv", "/suivi/epci.csv"]
    if programmes:
        urls += [f"/suivi/{programmes[-1].slug}/indicateurs.csv", "/suivi/carte/"]
    return urls


def publish_one():
    from projects.models import ProjectPage

    project = ProjectPage.objects.live().order_by("-pk").first()
    return project.save_revision().publish()


def main(argv: list[str]) -> int:
    national = "--national" in argv
    if national:
        url = national_url()
        if url is None:
            print("monitoring_bench --national: skipped, needs PostgreSQL")
            return 0
        prepare_national(url)
    else:
        setup_default()
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client

    from projects.models import ProjectPage

    target = TARGET_NATIONAL_MS if national else TARGET_SEED_MS
    print(f"database {connection.settings_dict['NAME']} ({connection.vendor}), "
          f"{ProjectPage.objects.live().count()} live projects; load "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
    client = Client()
    client.get("/suivi/")  # URL resolvers, templates, translations: not what we measure
    urls = pages()
    print(f"{'page (first request after a publish)':<58} {'kB':>7} {'cold':>8} {'q':>3} "
          f"{'cached':>8} {'q':>3}  vs {target} ms", flush=True)
    worst, over_queries = 0.0, []
    for url in urls:
        _result, publish_ms, publish_q = timed(publish_one)
        cache.clear()
        response, cold, cold_q = timed(lambda u=url: client.get(u))
        assert response.status_code == 200, (url, response.status_code)
        _again, warm, warm_q = timed(lambda u=url: client.get(u))
        worst = max(worst, cold) if not url.endswith("/carte/") else worst
        if cold_q > MAX_QUERIES:
            over_queries.append(url)
        print(f"{url:<58} {len(response.content) / 1000:7.1f} {cold:6.0f}ms {cold_q:3d} "
              f"{warm:6.0f}ms {warm_q:3d}  ×{cold / target:.2f}   (publish {publish_ms:.0f} ms, "
              f"{publish_q} q)", flush=True)
    print(f"summary: worst first request after a publish {worst:.0f} ms (target {target} ms, "
          f"×{worst / target:.2f}; maps apart), pages over {MAX_QUERIES} queries: "
          f"{', '.join(over_queries) or 'none'}; load "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
