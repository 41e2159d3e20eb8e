"""Benchmark of discovery at national scale: 10,000 synthetic projects spread over all 34,969
French communes, in a PostgreSQL database of its own (never the seed data, never the test
databases). Prints the median and 95th percentile time of:

- the listing with 3 filters (a département, a theme, a status): /projets/?territoire=59&...
- a commune lookup by name ("what covers Raismes"): /projets/?territoire=raismes
- the same commune's territory page and the API list,
- the CSV export of 1,000 rows: /projets/export.csv?programme=bench-programme-0

Database: BENCH_DATABASE_URL, else DATABASE_URL's server with the database `bench_listing`
(created when missing). The first run migrates, loads the reference territories (about two
minutes) and generates the projects (under a minute); later runs reuse them.

Generation is bulk, not through Wagtail's `add_child` (one save, revision and signal per
page: about an hour for 10,000 pages). Page rows are inserted with `bulk_create` and
treebeard materialised paths computed the way `MP_Node.add_child` does (parent path + the
child's 4-character step, parent's `numchild` updated once), `url_path` and `live` set as a
publish would; the ProjectPage rows (multi-table inheritance, which `bulk_create` refuses)
are inserted with one `executemany`; relations with `bulk_create`; and the commune coverage
with one INSERT … SELECT over the territory closure, the set-based equivalent of
`projects.coverage.rebuild_coverage`. The search index is not built (the timed requests do
not search).
"""

from __future__ import annotations

import datetime
import os
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PROJECTS = 10_000
PROGRAMMES = 10
SEED = 20260317
BENCH_DB = "bench_listing"
RUNS = 30


def bench_database_url() -> str | None:
    url = os.environ.get("BENCH_DATABASE_URL")
    if url:
        return url
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith(("postgres://", "postgresql://")):
        return None
    parts = urlsplit(base)
    return urlunsplit(parts._replace(path=f"/{BENCH_DB}"))


def ensure_database(url: str) -> None:
    """Create the benchmark database on the same server if it does not exist."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
            print(f"created database {name}")


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings.test"
    import django

    django.setup()


# -- data set --------------------------------------------------------------------------


def load_territories() -> None:
    from maps.models import Scale, Territory
    from maps.services.import_territories import load_reference_territories

    if Territory.objects.filter(scale=Scale.COMMUNE).count() < 34_969:
        started = time.perf_counter()
        load_reference_territories()
        print(f"territories loaded in {time.perf_counter() - started:.0f} s")


def generate() -> None:
    """10 programmes × 1,000 projects, each with a carrier, funders, publics, themes, axes,
    a published contact, territories at every scale and their commune coverage."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection, transaction
    from django.utils import timezone
    from wagtail.models import Locale, Page

    from maps.models import SCALE_RANK, Scale, Territory
    from projects.models import (
        Organisation,
        ProgrammeAxis,
        ProgrammePage,
        ProjectContact,
        ProjectCoverage,
        ProjectOrganisation,
        ProjectPage,
        ProjectPlace,
        ProjectTerritory,
        Public,
        Theme,
    )
    from projects.services.site import ensure_site

    if ProjectPage.objects.filter(slug__startswith="bench-").count() >= PROJECTS:
        return
    started = time.perf_counter()
    rng = random.Random(SEED)
    with transaction.atomic():
        home = ensure_site()
        publics = Public.objects.bulk_create(
            [Public(code=f"bench-public-{i}", label=f"Public {i}") for i in range(20)],
            ignore_conflicts=True)
        publics = list(Public.objects.filter(code__startswith="bench-public-"))
        themes = Theme.objects.bulk_create(
            [Theme(code=f"bench-theme-{i}", label=f"Thématique {i}") for i in range(25)],
            ignore_conflicts=True)
        themes = list(Theme.objects.filter(code__startswith="bench-theme-"))
        Organisation.objects.bulk_create(
            [Organisation(key=f"bench-org-{i}", name=f"Association numéro {i}",
                          kind=Organisation.Kind.ASSOCIATION) for i in range(2_000)],
            ignore_conflicts=True)
        orgs = list(Organisation.objects.filter(key__startswith="bench-org-"))

        programmes = []
        for p in range(PROGRAMMES):
            programme = ProgrammePage.objects.filter(slug=f"bench-programme-{p}").first()
            if programme is None:
                programme = ProgrammePage(title=f"Programme de test {p}",
                                          slug=f"bench-programme-{p}", short_title=f"Test {p}")
                home.add_child(instance=programme)
                programme.save_revision().publish()
                ProgrammeAxis.objects.bulk_create([
                    ProgrammeAxis(programme=programme, code=f"axe-{a}", label=f"Axe {a}",
                                  sort_order=a) for a in range(6)])
            programmes.append(programme)
        axes = {p.pk: list(p.axes.all()) for p in programmes}

        by_scale = {scale: list(Territory.objects.filter(scale=scale).values_list("pk", flat=True))
                    for scale in (Scale.COMMUNE, Scale.EPCI, Scale.DEPARTEMENT, Scale.REGION)}
        points = dict(Territory.objects.filter(scale=Scale.COMMUNE)
                      .values_list("pk", "centroid_lon"))
        content_type = ContentType.objects.get_for_model(ProjectPage)
        locale = Locale.get_default()
        now = timezone.now()
        per_programme = PROJECTS // PROGRAMMES

        pages, details, links = [], [], []
        for programme in programmes:
            programme.refresh_from_db()
            for i in range(1, per_programme + 1):
                slug = f"bench-{programme.slug[-1]}-{i}"
                roll = rng.random()
                if roll < 0.60:
                    scales = [Scale.COMMUNE] * rng.choice((1, 1, 1, 2, 3))
                elif roll < 0.85:
                    scales = [Scale.EPCI]
                elif roll < 0.96:
                    scales = [Scale.DEPARTEMENT]
                else:
                    scales = [Scale.REGION]
                territories = [rng.choice(by_scale[s]) for s in scales]
                start = datetime.date(2022, 1, 1) + datetime.timedelta(days=rng.randrange(2200))
                end = start + datetime.timedelta(days=rng.randrange(90, 1100))
                pages.append(Page(
                    title=f"Projet de test {programme.slug[-1]}-{i} : alimentation et santé",
                    draft_title=f"Projet de test {programme.slug[-1]}-{i}", slug=slug,
                    path=Page._get_path(programme.path, programme.depth + 1, i),
                    depth=programme.depth + 1, numchild=0,
                    url_path=f"{programme.url_path}{slug}/", content_type=content_type,
                    locale=locale, live=True, has_unpublished_changes=False,
                    first_published_at=now, last_published_at=now,
                ))
                details.append({
                    "summary": "Ateliers cuisine, paniers solidaires et accompagnement.",
                    "description": "<p>Projet synthétique pour le banc d’essai.</p>",
                    "call_year": rng.choice((2023, 2024, 2025, None)),
                    "start_date": start, "end_date": end, "duration_text": "",
                    "budget_eur": Decimal(rng.randrange(5_000, 300_000)), "budget_text": "",
                    "source_document_id": None, "programme_id": programme.pk,
                    "broadest_scale": max(scales, key=lambda s: SCALE_RANK[s]),
                    "seed_fingerprint": "",
                })
                links.append(territories)
            Page.objects.filter(pk=programme.pk).update(numchild=per_programme)
        created = Page.objects.bulk_create(pages, batch_size=2_000)
        columns = [f.column for f in ProjectPage._meta.local_concrete_fields]
        with connection.cursor() as cursor:
            cursor.executemany(
                f'INSERT INTO "{ProjectPage._meta.db_table}" ({", ".join(columns)}) '
                f'VALUES ({", ".join(["%s"] * len(columns))})',
                [[page.pk, *(d[c] for c in columns[1:])] for page, d in zip(created, details,
                                                                         strict=True)])
        ids = [page.pk for page in created]

        roles, territory_links, contacts, places = [], [], [], []
        publics_rows, themes_rows, axes_rows = [], [], []
        Publics, Themes, Axes = (ProjectPage.publics.through, ProjectPage.themes.through,
                                 ProjectPage.axes.through)
        for pk, detail, territories in zip(ids, details, links, strict=True):
            carrier = rng.choice(orgs)
            roles.append(ProjectOrganisation(project_id=pk, organisation=carrier, role="carrier",
                                             sort_order=0))
            for n, funder in enumerate(rng.sample(orgs, rng.choice((1, 2)))):
                roles.append(ProjectOrganisation(
                    project_id=pk, organisation=funder, role="funder", sort_order=n + 1,
                    amount_eur=Decimal(rng.randrange(1_000, 100_000))))
            for n, territory in enumerate(dict.fromkeys(territories)):
                territory_links.append(ProjectTerritory(project_id=pk, territory_id=territory,
                                                        sort_order=n))
            contacts.append(ProjectContact(project_id=pk, role="Coordination",
                                           organisation=carrier, email=f"contact{pk}@example.org",
                                           phone="03 20 00 00 00", publish=True))
            if points.get(territories[0]) is not None:
                places.append(ProjectPlace(project_id=pk, name="Local associatif",
                                           commune_id=territories[0]))
            publics_rows += [Publics(projectpage_id=pk, public=p)
                             for p in rng.sample(publics, rng.choice((1, 2, 3)))]
            themes_rows += [Themes(projectpage_id=pk, theme=t)
                            for t in rng.sample(themes, rng.choice((1, 2, 3)))]
            axes_rows += [Axes(projectpage_id=pk, programmeaxis=a)
                          for a in rng.sample(axes[detail["programme_id"]], rng.choice((1, 2)))]
        for rows in (roles, territory_links, contacts, places, publics_rows, themes_rows,
                     axes_rows):
            type(rows[0]).objects.bulk_create(rows, batch_size=5_000)

        closure = Territory.ancestors.through._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(f"""
                INSERT INTO "{ProjectCoverage._meta.db_table}" (project_id, commune_id)
                SELECT link.project_id, link.territory_id
                  FROM "{ProjectTerritory._meta.db_table}" link
                  JOIN "{Territory._meta.db_table}" t ON t.id = link.territory_id
                 WHERE t.scale = 'commune' AND link.project_id = ANY(%s)
                UNION
                SELECT link.project_id, closure.from_territory_id
                  FROM "{ProjectTerritory._meta.db_table}" link
                  JOIN "{closure}" closure ON closure.to_territory_id = link.territory_id
                  JOIN "{Territory._meta.db_table}" c ON c.id = closure.from_territory_id
                 WHERE c.scale = 'commune' AND link.project_id = ANY(%s)
                ON CONFLICT DO NOTHING""", [ids, ids])
    # What autovacuum does on a live database: statistics for the planner and the visibility
    # map that lets the coverage index be read without touching the table.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(f"generated {len(ids)} projects in {time.perf_counter() - started:.0f} s")


# -- measures --------------------------------------------------------------------------


def measure(client, url: str, runs: int = RUNS) -> dict:
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    response = client.get(url)  # warm the caches (site root paths, content types)
    assert response.status_code == 200, (url, response.status_code)
    reset_queries()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    query_count = len(queries)  # read now: the next requests reset the query log
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - started)
        assert response.status_code == 200
    return {"median": statistics.median(times), "p95": statistics.quantiles(times, n=20)[18],
            "queries": query_count, "response": response}


def selected_count(path: str) -> int:
    from django.http import QueryDict

    from portal.listing import listing_queryset
    from projects.filters import ProjectFilter

    query = QueryDict(path.partition("?")[2])
    return ProjectFilter(query, queryset=listing_queryset()).qs.count()


def main() -> int:
    url = bench_database_url()
    if url is None:
        print("listing_bench: skipped, needs PostgreSQL (DATABASE_URL or BENCH_DATABASE_URL)")
        return 0
    ensure_database(url)
    setup_django(url)
    from django.core.management import call_command
    from django.test import Client

    call_command("migrate", verbosity=0)
    load_territories()
    generate()

    from maps.models import Scale, Territory
    from projects.models import ProjectCoverage, ProjectPage

    print(f"data: {ProjectPage.objects.live().count()} live projects, "
          f"{Territory.objects.filter(scale=Scale.COMMUNE).count()} communes, "
          f"{ProjectCoverage.objects.count()} coverage rows (database {url.rsplit('/', 1)[-1]})")
    client = Client()
    cases = [
        ("listing, 3 filters (département 59 + theme + status)",
         "/projets/?territoire=59&thematique=bench-theme-3&statut=en-cours"),
        ("listing, no filter, 100 per page (all projects)", "/projets/?par_page=100"),
        ("commune lookup by name (/projets/?territoire=raismes)", "/projets/?territoire=raismes"),
        ("commune territory page (/territoires/commune-59491/)", "/territoires/commune-59491/"),
        ("API list, commune (/api/projets/?territoire=59491)", "/api/projets/?territoire=59491"),
        ("CSV export, 1,000 rows (programme=bench-programme-0)",
         "/projets/export.csv?programme=bench-programme-0"),
    ]
    print(f"{'case':58} {'median':>9} {'p95':>9} {'queries':>8}  result")
    for label, path in cases:
        runs = 10 if "export" in path else RUNS
        result = measure(client, path, runs)
        response = result["response"]
        if "export" in path:
            detail = f"{len(response.content.decode('utf-8-sig').splitlines()) - 1} rows"
        elif path.startswith("/api/"):
            detail = f"{response.json()['count']} projects"
        else:
            detail = f"{selected_count(path)} projects"
        if path.startswith("/territoires/"):
            detail = f"{selected_count('?territoire=' + path.split('/')[2])} projects"
        print(f"{label:58} {result['median'] * 1000:7.0f}ms {result['p95'] * 1000:7.0f}ms "
              f"{result['queries']:>8}  {detail}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
