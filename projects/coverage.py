"""Precomputed coverage: the communes each project covers, expanded from its territories
(a region → its communes, an EPCI → its members, a custom area → its communes), and the
questions it answers (projects per territory at a scale, communes covered)."""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Q

from maps.models import SCALE_RANK, Scale, Territory
from projects.models import ProjectCoverage, ProjectPage, ProjectTerritory

_deferred = {"on": False}


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


@transaction.atomic
def rebuild_coverage(projects: Iterable[ProjectPage]) -> int:
    """Recompute the covered communes of these projects; returns the rows written."""
    projects = list(projects)
    ids = [p.pk for p in projects]
    links = list(ProjectTerritory.objects.filter(project_id__in=ids).select_related("territory"))
    by_project: dict[int, list[Territory]] = {pk: [] for pk in ids}
    for link in links:
        by_project[link.project_id].append(link.territory)
    ProjectCoverage.objects.filter(project_id__in=ids).delete()
    rows = []
    for project in projects:
        territories = by_project[project.pk]
        commune_ids = covered_commune_ids(territories)
        rows += [ProjectCoverage(project_id=project.pk, commune_id=c) for c in commune_ids]
        broadest = max((t.scale for t in territories), key=lambda s: SCALE_RANK[s], default="")
        if project.broadest_scale != broadest:
            ProjectPage.objects.filter(pk=project.pk).update(broadest_scale=broadest)
            project.broadest_scale = broadest
    ProjectCoverage.objects.bulk_create(rows, batch_size=5000)
    return len(rows)


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
    """{project id: number of communes it covers} (absent: none, e.g. a place abroad)."""
    rows = (ProjectCoverage.objects.filter(project_id__in=list(project_ids))
            .values("project_id").annotate(n=Count("pk")).order_by())
    return {r["project_id"]: r["n"] for r in rows}
