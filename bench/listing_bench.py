"""Benchmark of discovery at national scale: N synthetic projects (10,000 by default;
`--projects 1000|10000|50000`) spread over all 34,969 French communes, in a PostgreSQL
database of its own (never the seed data, never the test databases). Prints, for each case,
the portal's median and 95th percentile time AND the hand-written SQL ceiling of the same
answer (`bench/ceiling.py`: two statements; checked to return the same ids in the same order
and the same non-zero facet counts), and the ratio portal / ceiling:

- the listing with 3 filters (a département, a theme, a status): /projets/?territoire=59&...
- a commune lookup by name ("what covers Raismes"): /projets/?territoire=raismes
- the same commune's territory page and the API list,
- the CSV export of 1,000 rows: /projets/export.csv?programme=bench-programme-0

Then the same listing served from the whole-page cache (anonymous GET, second request).

Database: BENCH_DATABASE_URL, else DATABASE_URL's server with the database
`perf_bench_<N>` (created when missing, from the template database `perf_bench_base` when it
exists: migrated, territories loaded, no project). The first run migrates, loads the
reference territories (about two minutes) and generates the projects (10,000 in about a
minute, 50,000 in a few); later runs reuse them. Uncached figures are measured with the page
cache off (PAGE_CACHE_ENABLED=False), as a first visitor sees them.

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
BENCH_BASE = "perf_bench_base"
RUNS = 30


def parse_args(argv):
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--projects", type=int, default=PROJECTS)
    parser.add_argument("--runs", type=int, default=RUNS)
    return parser.parse_args(argv)


def bench_database_url(projects: int) -> str | None:
    url = os.environ.get("BENCH_DATABASE_URL")
    if url:
        return url
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith(("postgres://", "postgresql://")):
        return None
    parts = urlsplit(base)
    return urlunsplit(parts._replace(path=f"/perf_bench_{projects}"))


def ensure_database(url: str) -> None:
    """Create the benchmark database on the same server if it does not exist (a copy of
    `perf_bench_base` when there is one: territories already loaded)."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            template = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                                    [BENCH_BASE]).fetchone()
            suffix = f' TEMPLATE "{BENCH_BASE}"' if template and name != BENCH_BASE else ""
            conn.execute(f'CREATE DATABASE "{name}"{suffix}')
            print(f"created database {name}{' from ' + BENCH_BASE if suffix else ''}")


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


def generate(total: int) -> None:
    """10 programmes × total/10 projects, each with a carrier, funders, publics, themes, axes,
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

    if ProjectPage.objects.filter(slug__startswith="bench-").count() >= total:
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
                          kind=Organisation.Kind.ASSOCIATION)
             for i in range(max(2_000, total // 5))],
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
        per_programme = total // PROGRAMMES

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
        print(f"  {len(pages)} pages built in memory ({time.perf_counter() - started:.0f} s)",
              flush=True)
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
        print(f"  pages written ({time.perf_counter() - started:.0f} s)", flush=True)
        for rows in (roles, territory_links, contacts, places, publics_rows, themes_rows,
                     axes_rows):
            type(rows[0]).objects.bulk_create(rows, batch_size=5_000)

        print(f"  relations written ({time.perf_counter() - started:.0f} s)", flush=True)
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
    print(f"  coverage written ({time.perf_counter() - started:.0f} s)", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(f"generated {len(ids)} projects in {time.perf_counter() - started:.0f} s")


# -- measures --------------------------------------------------------------------------


def timed(call, runs: int) -> dict:
    call()  # warm (site root paths, content types, cached choices)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return {"median": statistics.median(times), "p95": statistics.quantiles(times, n=20)[18]}


def count_queries(client, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def portal_answer(path: str):
    """The portal's own answer for a listing address: ordered (id, level) of the whole
    selection and the non-zero facet counts by public value."""
    from django.test import RequestFactory

    from portal.listing import project_listing

    request = RequestFactory().get(path)
    context = project_listing(request)
    project_filter = context["filter"]
    with_level = project_filter.scope is not None
    rows = list(project_filter.qs.values_list("pk", "level") if with_level
                else project_filter.qs.values_list("pk"))
    facets = {name: {o.value: o.count for o in options if o.count}
              for name, options in context["facets"].items()}
    return [(r[0], r[1] if with_level else None) for r in rows], facets


def public_values() -> dict:
    """How the ceiling's keys (pks, status index) read as the portal's option values."""
    from projects.models import (
        Organisation,
        ProgrammeAxis,
        ProgrammePage,
        Public,
        Theme,
    )
    from projects.selection import STATUSES

    return {
        "programme": dict(ProgrammePage.objects.values_list("pk", "slug")),
        "public": dict(Public.objects.values_list("pk", "code")),
        "thematique": dict(Theme.objects.values_list("pk", "code")),
        "axe": {a.pk: f"{a.programme.slug}:{a.code}"
                for a in ProgrammeAxis.objects.select_related("programme")},
        "statut": {i: s.value for i, s in enumerate(STATUSES)},
        "annee": {y: str(y) for y in range(1990, 2101)},
        "porteur": dict(Organisation.objects.values_list("pk", "key")),
    }


def ceiling_answer(query, values) -> tuple[list, dict]:
    import ceiling
    from django.db import connection
    from django.utils import timezone

    with connection.cursor() as cursor:
        rows, counts = ceiling.run(cursor, query, timezone.localdate())
    facets = {name: {values[name][k]: n for k, n in found.items() if n}
              for name, found in counts.items()}
    return rows, facets


def same_answer(portal, ceiling_result) -> str:
    (p_rows, p_facets), (c_rows, c_facets) = portal, ceiling_result
    if [r[0] for r in p_rows] != [r[0] for r in c_rows]:
        return "DIFFERENT ids"
    if any(p[1] is not None and p[1] != c[1] for p, c in zip(p_rows, c_rows, strict=True)):
        return "DIFFERENT levels"
    for name, counts in c_facets.items():
        if p_facets.get(name, {}) != counts:
            return f"DIFFERENT {name} counts"
    return "same ids, order, levels and counts"


def main(argv=None) -> int:
    args = parse_args(argv if argv is not None else sys.argv[1:])
    url = bench_database_url(args.projects)
    if url is None:
        print("listing_bench: skipped, needs PostgreSQL (DATABASE_URL or BENCH_DATABASE_URL)")
        return 0
    ensure_database(url)
    setup_django(url)
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import ceiling
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client, override_settings

    call_command("migrate", verbosity=0)
    load_territories()
    generate(args.projects)

    from maps.models import Scale, Territory
    from portal.listing import listing_queryset, year_range
    from projects.models import ProjectCoverage, ProjectPage, Theme

    print(f"data: {ProjectPage.objects.live().count()} live projects, "
          f"{Territory.objects.filter(scale=Scale.COMMUNE).count()} communes, "
          f"{ProjectCoverage.objects.count()} coverage rows (database {url.rsplit('/', 1)[-1]})"
          f"; load average {os.getloadavg()[0]:.1f}")
    client = Client()
    years = year_range(listing_queryset())
    years = (years[0], years[-1]) if years else None
    nord = Territory.objects.get(scale=Scale.DEPARTEMENT, code="59")
    raismes = Territory.objects.get(scale=Scale.COMMUNE, code="59491")
    theme = Theme.objects.get(code="bench-theme-3")
    values = public_values()

    def commune_query():
        return ceiling.Query(territory=raismes.pk, territory_is_commune=True, years=years)

    def by_name():
        with connection.cursor() as cursor:
            pk, is_commune = ceiling.resolve_name(cursor, "raismes")
        return ceiling.Query(territory=pk, territory_is_commune=is_commune, years=years)

    three = ceiling.Query(territory=nord.pk, themes=[theme.pk], status="en-cours", years=years)
    cases = [
        ("listing, 3 filters (département 59 + theme + status)",
         "/projets/?territoire=59&thematique=bench-theme-3&statut=en-cours", lambda: three),
        ("listing, no filter, 100 per page (all projects)", "/projets/?par_page=100",
         lambda: ceiling.Query(years=years)),
        ("commune lookup by name (/projets/?territoire=raismes)", "/projets/?territoire=raismes",
         by_name),
        ("commune territory page (/territoires/commune-59491/)", "/territoires/commune-59491/",
         commune_query),
        ("API list, commune (/api/projets/?territoire=59491)", "/api/projets/?territoire=59491",
         commune_query),
        ("CSV export, 1,000 rows (programme=bench-programme-0)",
         "/projets/export.csv?programme=bench-programme-0", None),
    ]
    print(f"{'case':56} {'median':>8} {'p95':>8} {'queries':>7} {'ceiling':>8} {'ratio':>6}"
          "  check")
    with override_settings(PAGE_CACHE_ENABLED=False):
        for label, path, make_query in cases:
            runs = max(5, args.runs // 3) if "export" in path else args.runs
            portal = timed(lambda path=path: client.get(path), runs)
            queries = count_queries(client, path)
            if make_query is None:
                response = client.get(path)
                rows = len(response.content.decode("utf-8-sig").splitlines()) - 1
                print(f"{label:56} {portal['median'] * 1000:6.0f}ms {portal['p95'] * 1000:6.0f}ms"
                      f" {queries:>7} {'—':>8} {'—':>6}  {rows} rows", flush=True)
                continue
            listing_path = path
            if path.startswith(("/territoires/", "/api/")):
                listing_path = "/projets/?territoire=59491"
            check = same_answer(portal_answer(listing_path),
                                ceiling_answer(make_query(), values))
            ceiling_time = timed(lambda make_query=make_query: ceiling_answer(make_query(),
                                                                              values), args.runs)
            ratio = portal["median"] / ceiling_time["median"]
            print(f"{label:56} {portal['median'] * 1000:6.0f}ms {portal['p95'] * 1000:6.0f}ms"
                  f" {queries:>7} {ceiling_time['median'] * 1000:6.1f}ms {ratio:5.1f}x  {check}",
                  flush=True)
    with override_settings(PAGE_CACHE_ENABLED=True):
        path = "/projets/?territoire=59&thematique=bench-theme-3&statut=en-cours"
        cached = timed(lambda: client.get(path), args.runs)
        assert client.get(path).headers.get("X-Page-Cache") == "hit"
        print(f"{'listing, 3 filters, from the page cache':56} {cached['median'] * 1000:6.1f}ms "
              f"{cached['p95'] * 1000:6.1f}ms {count_queries(client, path):>7}")
    print(f"load average after the run: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
