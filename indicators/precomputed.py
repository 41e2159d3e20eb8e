"""Keep the small monitoring tables right, so that no visitor pays for a rebuild.

Three tables (see `indicators.models`): `ProjectArea` (the départements and EPCI each
project covers), `CoverageAggregate` (projects per programme × territory) and
`IndicatorAggregate` (totals per programme × territory × indicator × year, made by
`indicators.aggregation`). They are refreshed:

- when a project is published or unpublished (`page_published` / `page_unpublished`, after
  `projects.signals` has rebuilt its covered communes), through `refresh_projects`;
- when a figure is saved or deleted through the ORM (page editor, values list, import
  services that save rows one by one): its programme × indicator is marked and refreshed when
  the transaction commits (or at the next publish in the same transaction);
- by an explicit `refresh_projects(project_ids)` from any bulk import that bypasses signals
  (`bulk_create`, `deferred()`), and `rebuild_all()` (`manage.py refresh_monitoring`, the seed).

A refresh recomputes only what the change touches: the areas of the changed projects, the
coverage rows of the territories they cover or covered, and the totals of the
programme × indicator pairs of their figures.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count

from indicators import aggregation
from indicators.models import (
    CoverageAggregate,
    IndicatorAggregate,
    IndicatorDefinition,
    IndicatorValue,
    Kind,
    ProjectArea,
)
from maps.models import Scale, Territory
from projects import coverage
from projects.models import ProjectCoverage, ProjectPage
from projects.versions import bump_programmes

#: The scales of the monitoring tables (projects per département, per EPCI).
AREA_SCALES = (Scale.DEPARTEMENT, Scale.EPCI)

_local = threading.local()


def _pending() -> set[tuple[int, int]]:
    if not hasattr(_local, "pairs"):
        _local.pairs = set()
    return _local.pairs


@contextmanager
def deferred():
    """Bulk imports refresh once at the end (`refresh_projects` or `rebuild_all`), not at
    every saved figure."""
    previous = getattr(_local, "deferred", False)
    _local.deferred = True
    try:
        yield
    finally:
        _local.deferred = previous


def is_deferred() -> bool:
    return getattr(_local, "deferred", False) or coverage.is_deferred()


@dataclass
class Refreshed:
    projects: int = 0
    areas: int = 0
    coverage_rows: int = 0
    indicator_rows: int = 0

    def __str__(self):
        return (f"{self.projects} projets, {self.areas} zones, {self.coverage_rows} lignes de "
                f"couverture, {self.indicator_rows} totaux d'indicateurs")


# --- areas and coverage -------------------------------------------------------------------


def _refresh_areas(project_ids: list[int]) -> set[int]:
    """Recompute the areas of these projects; returns the territories they cover now or
    covered before (the coverage rows to refresh)."""
    old = set(ProjectArea.objects.filter(project_id__in=project_ids)
              .values_list("territory_id", flat=True))
    counts = (ProjectCoverage.objects
              .filter(project_id__in=project_ids, commune__parents__scale__in=AREA_SCALES)
              .values("project_id", "commune__parents")
              .annotate(n=Count("commune_id")))
    rows = [ProjectArea(project_id=row["project_id"], territory_id=row["commune__parents"],
                        communes=row["n"]) for row in counts]
    ProjectArea.objects.filter(project_id__in=project_ids).delete()
    ProjectArea.objects.bulk_create(rows, batch_size=5000)
    return old | {row.territory_id for row in rows}


def _refresh_coverage(programme_ids: Iterable[int | None], territory_ids: set[int]) -> int:
    """Recompute the coverage rows of these territories for these programmes (None: every
    programme together), from the one answer to "projects per territory"
    (`projects.coverage.projects_per_territory`): the dashboards then count exactly as the
    explorer map and the territory pages do."""
    if not territory_ids:
        return 0
    by_scale: dict[str, list[int]] = defaultdict(list)
    for pk, scale in Territory.objects.filter(pk__in=territory_ids).values_list("pk", "scale"):
        by_scale[scale].append(pk)
    written = 0
    for programme_id in programme_ids:
        # The region's projects only: the examples elsewhere in France are not monitored.
        projects = ProjectPage.objects.filter(live=True, in_home_region=True)
        if programme_id is not None:
            projects = projects.filter(programme_id=programme_id)
        project_ids = projects.values("pk")
        CoverageAggregate.objects.filter(programme_id=programme_id,
                                         territory_id__in=territory_ids).delete()
        rows = [CoverageAggregate(programme_id=programme_id, territory_id=pk, scale=scale,
                                  projects=count.projects, regional_projects=count.regional,
                                  communes=count.communes)
                for scale, pks in by_scale.items()
                for pk, count in coverage.projects_per_territory(project_ids, scale, pks).items()]
        CoverageAggregate.objects.bulk_create(rows, batch_size=5000)
        written += len(rows)
    return written


# --- indicator totals ---------------------------------------------------------------------


def _aggregate_row(programme_id, definition_id, territory_id, year, items) -> IndicatorAggregate:
    total = aggregation.aggregate(items)
    return IndicatorAggregate(
        programme_id=programme_id, definition_id=definition_id, territory_id=territory_id,
        year=year,
        validated_value=total.validated.value, validated_projects=total.validated.projects,
        validated_figures=total.validated.figures,
        declared_value=total.declared.value, declared_projects=total.declared.projects,
        declared_figures=total.declared.figures,
        target_value=total.targets.value, target_projects=total.targets.projects,
        text_only=total.text_only,
        set_aside=total.validated.set_aside + total.declared.set_aside,
    )


def _refresh_indicators(pairs: set[tuple[int, int]]) -> int:
    """Recompute the totals of these (programme, definition) pairs, every territory and year:
    one query for the figures and one for the projects' départements per programme."""
    by_programme: dict[int, set[int]] = defaultdict(set)
    for programme_id, definition_id in pairs:
        if programme_id is not None:
            by_programme[programme_id].add(definition_id)
    written = 0
    for programme_id, definition_ids in by_programme.items():
        values = (IndicatorValue.objects
                  .filter(project__live=True, project__in_home_region=True,
                          project__programme_id=programme_id,
                          definition_id__in=definition_ids)
                  .exclude(kind=Kind.CONTEXT))
        items = aggregation.figures(values.order_by("project_id", "period_start", "pk"))
        departements: dict[int, list[int]] = defaultdict(list)
        for project_id, territory_id in ProjectArea.objects.filter(
                project_id__in={f.project_id for f in items},
                territory__scale=Scale.DEPARTEMENT).values_list("project_id", "territory_id"):
            departements[project_id].append(territory_id)
        groups: dict[tuple, list] = defaultdict(list)
        codes = {}
        for figure in items:
            codes[figure.code] = None
            for territory_id in (None, *departements.get(figure.project_id, ())):
                for year in {None, figure.year}:
                    groups[(figure.code, territory_id, year)].append(figure)
        ids = dict(IndicatorDefinition.objects.filter(pk__in=definition_ids)
                   .values_list("code", "pk"))
        rows = [_aggregate_row(programme_id, ids[code], territory_id, year, group)
                for (code, territory_id, year), group in groups.items()]
        IndicatorAggregate.objects.filter(programme_id=programme_id,
                                          definition_id__in=definition_ids).delete()
        IndicatorAggregate.objects.bulk_create(rows, batch_size=5000)
        written += len(rows)
    return written


def _pairs_of(project_ids) -> set[tuple[int, int]]:
    return set(IndicatorValue.objects.filter(project_id__in=project_ids)
               .exclude(kind=Kind.CONTEXT)
               .values_list("project__programme_id", "definition_id").distinct())


# --- the calls ----------------------------------------------------------------------------


@transaction.atomic
def refresh_projects(project_ids: Iterable[int]) -> Refreshed:
    """Refresh everything the monitoring tables hold about these projects: their areas, the
    coverage rows of the territories they cover (or covered), the totals of the indicators
    they have figures of. The call for imports that write projects or figures in bulk;
    idempotent, safe inside their transaction."""
    ids = sorted(set(project_ids))
    report = Refreshed(projects=len(ids))
    if not ids:
        return report
    programmes = set(ProjectPage.objects.filter(pk__in=ids).values_list("programme_id",
                                                                         flat=True))
    territories = _refresh_areas(ids)
    report.areas = ProjectArea.objects.filter(project_id__in=ids).count()
    report.coverage_rows = _refresh_coverage([*sorted(p for p in programmes if p), None],
                                             territories)
    pairs = _pairs_of(ids) | _pending()
    _pending().clear()
    report.indicator_rows = _refresh_indicators(pairs)
    return report


def refresh_pending() -> int:
    """Refresh the programme × indicator pairs marked by saved or deleted figures, and move
    their programmes' data versions on (the cached monitoring pages show these figures)."""
    pairs = set(_pending())
    _pending().clear()
    if not pairs:
        return 0
    bump_programmes({programme_id for programme_id, _definition in pairs})
    return _refresh_indicators(pairs)


def mark(programme_id: int | None, definition_id: int | None) -> None:
    """A figure of this programme × indicator changed: refresh it at commit."""
    if programme_id is None or definition_id is None:
        return
    _pending().add((programme_id, definition_id))
    if not is_deferred():
        transaction.on_commit(refresh_pending)


@transaction.atomic
def rebuild_all() -> Refreshed:
    """Recompute the three tables from scratch (after the seed, or to repair)."""
    ProjectArea.objects.all().delete()
    CoverageAggregate.objects.all().delete()
    IndicatorAggregate.objects.all().delete()
    ids = list(ProjectPage.objects.values_list("pk", flat=True))
    report = Refreshed(projects=len(ids))
    territories = _refresh_areas(ids)
    report.areas = ProjectArea.objects.count()
    programmes = sorted(set(ProjectPage.objects.values_list("programme_id", flat=True))
                        - {None})
    report.coverage_rows = _refresh_coverage([*programmes, None], territories)
    _pending().clear()
    report.indicator_rows = _refresh_indicators(_pairs_of(ids))
    return report


def is_built() -> bool:
    """Whether the tables were ever built (a fresh database after `migrate` has them empty)."""
    return ProjectArea.objects.exists() or not ProjectCoverage.objects.exists()
