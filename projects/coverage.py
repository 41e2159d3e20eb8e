"""Precomputed coverage: the communes each project covers, expanded from its territories
(a region → its communes, an EPCI → its members, a custom area → its communes)."""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import contextmanager

from django.db import transaction

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
