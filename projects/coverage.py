"""Precomputed coverage: the communes each project covers, expanded from its territories
(a region → its communes, an EPCI → its members, a custom area → its communes), and the
questions it answers (projects per territory at a scale, communes covered)."""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Q

from maps.models import SCALE_RANK, Scale, Territory, home_region_code
from projects.models import ProjectCoverage, ProjectPage, ProjectTerritory
from projects.selection import in_ids

_deferred = {"on": False}
#: Projects per query of a rebuild (the database's limit on parameters).
CHUNK = 900


@contextmanager
def deferred():
    """Bulk imports rebuild all coverage once at the end, not at every publish."""
    _deferred["on"] = True
    try:
        yield
    finally:
        _deferred["on"] = False


def is_deferred() -> bool:
    return _deferred["on"]


def covered_commune_ids(territories: Iterable[Territory]) -> set[int]:
    """The communes a set of territories covers: the communes themselves and every commune
    of the wider ones (one query). Used at publish, and for the preview of a draft, which
    must show its coverage without writing it."""
    territories = list(territories)
    commune_ids = {t.pk for t in territories if t.scale == Scale.COMMUNE}
    wider = [t.pk for t in territories if t.scale != Scale.COMMUNE]
    if wider:
        commune_ids |= set(
            Territory.ancestors.through.objects.filter(
                to_territory_id__in=wider, from_territory__scale=Scale.COMMUNE
            ).values_list("from_territory_id", flat=True)
        )
    return commune_ids


def home_region_commune_ids() -> set[int]:
    """The communes of the home region (one query, a few thousand ids)."""
    return set(Territory.ancestors.through.objects.filter(
        to_territory__scale=Scale.REGION, to_territory__code=home_region_code(),
        from_territory__scale=Scale.COMMUNE).values_list("from_territory_id", flat=True))


def in_home_region(territories: Iterable[Territory], commune_ids: set[int] | None = None,
                   home_communes: set[int] | None = None) -> bool:
    """THE rule of the portal's scope: is a project regional (counted, listed and mapped by
    default) or one of the « exemples ailleurs en France » (national examples of the 1000
    premiers jours document)?

    Regional when it covers at least one commune of the home region (through any of its
    territories: a commune, an EPCI, a département, a custom area straddling the border,
    the region itself). A project with no territory yet counts as regional: every programme
    of the portal is a regional one, so a project with no stated place is a regional project
    whose place is still to be entered, not an example from elsewhere (a foreign place such
    as Jette is a territory, and is not in the region). Stored on the project as
    `ProjectPage.in_home_region` by `rebuild_coverage`; filter with `scope_q`."""
    territories = list(territories)
    if any(t.scale == Scale.REGION and t.code == home_region_code() for t in territories):
        return True
    if territories and commune_ids is None:
        commune_ids = covered_commune_ids(territories)
    if territories and home_communes is None:
        home_communes = home_region_commune_ids()
    return _regional(bool(territories), commune_ids or set(), home_communes or set())


def _regional(has_territories: bool, commune_ids: set[int], home_communes: set[int]) -> bool:
    return not has_territories or not commune_ids.isdisjoint(home_communes)


class Perimeter:
    """The values of the `perimetre` parameter of the listings: the region (default), the
    examples elsewhere in France, or both."""

    REGION = "region"
    ELSEWHERE = "ailleurs"
    ALL = "tous"


def scope_q(perimeter: str = Perimeter.REGION) -> Q:
    """Projects of a perimeter (`Perimeter`), from the stored `in_home_region` flag."""
    if perimeter == Perimeter.REGION:
        return Q(in_home_region=True)
    if perimeter == Perimeter.ELSEWHERE:
        return Q(in_home_region=False)
    return Q()


@transaction.atomic
def rebuild_coverage(projects: Iterable[ProjectPage]) -> int:
    """Recompute the covered communes of these projects; returns the rows written.

    Set-based, whatever the number of projects: one query for the communes they link
    directly, one for the communes of their wider territories (through the closure), one
    insert per 5,000 rows, and one update per broadest scale, so that a publish and a
    1,000-row import cost the same few queries."""
    projects = list(projects)
    ids = [p.pk for p in projects]
    pairs: set[tuple[int, int]] = set()
    scales: dict[int, list[str]] = {pk: [] for pk in ids}
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        links = ProjectTerritory.objects.filter(project_id__in=chunk)
        for project_id, territory_id, scale in links.values_list(
                "project_id", "territory_id", "territory__scale"):
            scales[project_id].append(scale)
            if scale == Scale.COMMUNE:
                pairs.add((project_id, territory_id))
        pairs.update(links.exclude(territory__scale=Scale.COMMUNE).filter(
            territory__descendants__scale=Scale.COMMUNE,
        ).values_list("project_id", "territory__descendants").distinct())
        ProjectCoverage.objects.filter(project_id__in=chunk).delete()
    ProjectCoverage.objects.bulk_create(
        [ProjectCoverage(project_id=p, commune_id=c) for p, c in sorted(pairs)], batch_size=5000)
    by_scale: dict[str, list[int]] = {}
    # The scope of each project (`in_home_region`), from the same communes.
    home_communes = home_region_commune_ids() if ids else set()
    communes: dict[int, set[int]] = {pk: set() for pk in ids}
    for project_id, commune_id in pairs:
        communes[project_id].add(commune_id)
    by_home: dict[bool, list[int]] = {}
    for project in projects:
        broadest = max(scales[project.pk], key=lambda s: SCALE_RANK[s], default="")
        if project.broadest_scale != broadest:
            by_scale.setdefault(broadest, []).append(project.pk)
            project.broadest_scale = broadest
        home = _regional(bool(scales[project.pk]), communes[project.pk], home_communes)
        if project.in_home_region != home:
            by_home.setdefault(home, []).append(project.pk)
            project.in_home_region = home
    for broadest, changed in by_scale.items():
        ProjectPage.objects.filter(pk__in=changed).update(broadest_scale=broadest)
    for home, changed in by_home.items():
        ProjectPage.objects.filter(pk__in=changed).update(in_home_region=home)
    return len(pairs)


# --------------------------------------------------------------------------- questions


@dataclass(frozen=True)
class TerritoryCount:
    """How a selection of projects covers one territory."""

    projects: int  # projects covering at least one of its communes
    regional: int  # of which cover the whole region (they count everywhere)
    communes: int  # its communes covered by at least one of them


def projects_per_territory(project_ids, scale: str,
                           territory_ids: Iterable[int] | None = None
                           ) -> dict[int, TerritoryCount]:
    """{territory id: TerritoryCount} for the territories of `scale` (or only those of
    `territory_ids`) that the projects `project_ids` (ids or a subquery) cover.

    The one answer to "how many projects per territory": the explorer map and its table,
    the dashboards, the territory pages all ask here. A project counts for a territory when
    it covers at least one of its communes (`ProjectCoverage`), a commune belonging to the
    territories of its closure (`Territory.ancestors`: its EPCI, département(s), custom
    areas, region; never through an EPCI, so an EPCI straddling two départements does not
    put its communes in both). One grouped query."""
    coverage = ProjectCoverage.objects.filter(project__in=project_ids)
    if scale == Scale.COMMUNE:
        key = "commune"
        if territory_ids is not None:
            coverage = coverage.filter(commune__in=list(territory_ids))
    else:
        key = "commune__ancestors"
        lookups = {"commune__ancestors__scale": scale}
        if territory_ids is not None:
            lookups["commune__ancestors__in"] = list(territory_ids)
        coverage = coverage.filter(**lookups)  # one filter(): one join on the closure
    rows = coverage.values(key).annotate(
        n=Count("project", distinct=True),
        regional=Count("project", distinct=True,
                       filter=Q(project__broadest_scale=Scale.REGION)),
        communes=Count("commune", distinct=True),
    ).order_by()
    return {row[key]: TerritoryCount(row["n"], row["regional"], row["communes"])
            for row in rows}


def communes_covered_by(project_ids) -> set[int]:
    """The communes at least one of the projects covers."""
    return set(ProjectCoverage.objects.filter(project__in=project_ids)
               .values_list("commune_id", flat=True).distinct())


def covered_commune_count(project_ids, communes=None) -> int:
    """Communes covered by at least one of the projects (only those of `communes`, a
    queryset, when given: the region's, for the regional summaries)."""
    rows = ProjectCoverage.objects.filter(project__in=project_ids)
    if communes is not None:
        rows = rows.filter(commune__in=communes.values("pk"))
    return rows.values("commune").distinct().count()


def communes_per_project(project_ids: Iterable[int]) -> dict[int, int]:
    """{project id: number of communes it covers} (absent: none, e.g. a place abroad).
    The ids go as one array parameter (`in_ids`): an export asks for 1,000 of them.
    COUNT(*), not COUNT(id): the project index alone answers it (an index-only scan, 26 ms
    for 1,000 projects at national scale, against 90 ms reading the table for the ids)."""
    rows = (ProjectCoverage.objects.filter(in_ids("project_id", project_ids))
            .values("project_id").annotate(n=Count("*")).order_by())
    return {r["project_id"]: r["n"] for r in rows}
