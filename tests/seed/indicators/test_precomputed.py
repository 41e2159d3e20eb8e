"""The precomputed monitoring tables hold what a live computation gives, and stay right after
a publish, an unpublish, a figure saved or deleted through the ORM and a territory change;
the yearly campaign lists who reported what."""

import datetime
from decimal import Decimal

import pytest
from django.db.models import Count

from indicators import aggregation, precomputed
from indicators.campaign import State, campaign, campaign_years
from indicators.models import (
    CoverageAggregate,
    IndicatorAggregate,
    IndicatorDefinition,
    IndicatorValue,
    Kind,
)
from maps.models import Scale, Territory
from projects.models import ProgrammePage, ProjectCoverage, ProjectPage, ProjectTerritory

pytestmark = pytest.mark.django_db


def live_coverage(programme, scale):
    """The old per-request count: projects covering each territory of a scale."""
    rows = (ProjectCoverage.objects.filter(project__live=True, project__programme=programme,
                                           commune__parents__scale=scale)
            .values("commune__parents")
            .annotate(n=Count("project", distinct=True), c=Count("commune", distinct=True)))
    return {r["commune__parents"]: (r["n"], r["c"]) for r in rows}


def stored_coverage(programme, scale):
    return {r.territory_id: (r.projects, r.communes)
            for r in CoverageAggregate.objects.filter(programme=programme, scale=scale)}


def stored_total(programme, code, year=None, territory=None):
    return IndicatorAggregate.objects.get(programme=programme, definition__code=code, year=year,
                                          territory=territory)


@pytest.fixture
def faad():
    return ProgrammePage.objects.get(slug="faad")


@pytest.fixture
def definition():
    return IndicatorDefinition.objects.create(code="test-repas", label="Repas servis (test)",
                                              unit="repas", is_shared=True)


def test_stored_totals_are_the_live_totals_of_every_programme():
    for programme in ProgrammePage.objects.live():
        live = {t.code: t for t in aggregation.programme_totals(programme, shared_only=False)}
        stored = {r.definition.code: r for r in IndicatorAggregate.objects.filter(
            programme=programme, year=None, territory=None).select_related("definition")}
        assert set(stored) == set(live)
        for code, total in live.items():
            row = stored[code]
            assert (row.validated_value, row.validated_projects) == (
                total.validated.value, total.validated.projects), code
            assert (row.declared_value, row.declared_projects) == (
                total.declared.value, total.declared.projects), code
            assert (row.target_value, row.target_projects) == (
                total.targets.value, total.targets.projects), code


def test_stored_coverage_is_the_live_count(faad):
    for scale in (Scale.DEPARTEMENT, Scale.EPCI):
        live = live_coverage(faad, scale)
        assert live, scale
        assert stored_coverage(faad, scale) == live


def test_publishing_a_figure_from_the_page_editor_refreshes_the_totals(faad, definition):
    project = ProjectPage.objects.live().filter(programme=faad).first()
    project.indicator_values.add(IndicatorValue(
        definition=definition, kind=Kind.OUTPUT, value=Decimal(120),
        period_start=datetime.date(2025, 1, 1), period_end=datetime.date(2025, 12, 31)))
    project.save_revision().publish()
    row = stored_total(faad, "test-repas")
    assert (row.declared_value, row.declared_projects, row.validated_value) == (120, 1, None)
    assert stored_total(faad, "test-repas", year=2025).declared_value == 120
    departement = project.monitoring_areas.filter(territory__scale=Scale.DEPARTEMENT).first()
    if departement:  # every FAAD project covers communes of a département
        assert stored_total(faad, "test-repas", territory=departement.territory).declared_value \
            == 120


def test_figures_saved_and_deleted_through_the_orm_refresh_at_commit(
        faad, definition, django_capture_on_commit_callbacks):
    projects = list(ProjectPage.objects.live().filter(programme=faad)[:2])
    with django_capture_on_commit_callbacks(execute=True):
        first = IndicatorValue.objects.create(project=projects[0], definition=definition,
                                              value=10, period_end=datetime.date(2024, 6, 30))
        IndicatorValue.objects.create(project=projects[1], definition=definition, value=5,
                                      period_end=datetime.date(2024, 6, 30),
                                      status=IndicatorValue.Status.VALIDATED)
    row = stored_total(faad, "test-repas", year=2024)
    assert (row.declared_value, row.declared_projects) == (10, 1)
    assert (row.validated_value, row.validated_projects) == (5, 1)
    with django_capture_on_commit_callbacks(execute=True):
        first.delete()
    assert stored_total(faad, "test-repas", year=2024).declared_value is None


def test_unpublishing_a_project_takes_it_out_of_the_counts(faad):
    project = ProjectPage.objects.live().filter(programme=faad,
                                                broadest_scale=Scale.COMMUNE).first()
    area = project.monitoring_areas.get(territory__scale=Scale.DEPARTEMENT)
    before = CoverageAggregate.objects.get(programme=faad, territory=area.territory).projects
    project.unpublish()
    after = CoverageAggregate.objects.filter(programme=faad, territory=area.territory).first()
    assert (after.projects if after else 0) == before - 1
    assert stored_coverage(faad, Scale.DEPARTEMENT) == live_coverage(faad, Scale.DEPARTEMENT)


def test_moving_a_project_to_another_territory_refreshes_old_and_new(faad):
    project = ProjectPage.objects.live().filter(programme=faad,
                                                broadest_scale=Scale.COMMUNE).first()
    amiens = Territory.objects.get(scale=Scale.COMMUNE, code="80021")
    project.territory_links = [ProjectTerritory(territory=amiens)]
    project.save_revision().publish()
    assert set(project.monitoring_areas.filter(territory__scale=Scale.DEPARTEMENT)
               .values_list("territory__code", flat=True)) == {"80"}
    assert stored_coverage(faad, Scale.DEPARTEMENT) == live_coverage(faad, Scale.DEPARTEMENT)
    assert stored_coverage(faad, Scale.EPCI) == live_coverage(faad, Scale.EPCI)


def test_rebuild_all_gives_the_same_tables(faad):
    before = (stored_coverage(faad, Scale.EPCI), IndicatorAggregate.objects.count())
    report = precomputed.rebuild_all()
    assert report.projects >= 135
    assert (stored_coverage(faad, Scale.EPCI), IndicatorAggregate.objects.count()) == before


def test_campaign_lists_who_reported_and_totals_validated_and_declared_apart(faad, definition):
    projects = list(ProjectPage.objects.live().filter(programme=faad).order_by("title")[:3])
    year = datetime.date(2025, 1, 1), datetime.date(2025, 12, 31)
    values = [IndicatorValue(project=p, definition=definition, value=v, period_start=year[0],
                             period_end=year[1], status=status)
              for p, v, status in zip(projects, (100, 40, 60), (
                  IndicatorValue.Status.VALIDATED, IndicatorValue.Status.DECLARED,
                  IndicatorValue.Status.DECLARED), strict=True)]
    with precomputed.deferred():
        IndicatorValue.objects.bulk_create(values)
    precomputed.refresh_projects([p.pk for p in projects])  # what a bulk import calls

    result = campaign(faad, 2025)
    reported = {r.project.pk for r in result.reported}
    assert {p.pk for p in projects} <= reported
    total = next(t for t in result.totals if t.code == "test-repas")
    assert (total.validated_value, total.validated_projects) == (100, 1)
    assert (total.declared_value, total.declared_projects) == (100, 2)
    assert [f.value for _r, f in result.waiting if f.code == "test-repas"] == [40, 60]
    assert 2025 in campaign_years(faad)
    # Projects that track an indicator and said nothing for 2025 are in the CSV to chase.
    missing = result.missing_rows()
    assert missing and all(row["annee"] == 2025 for row in missing)
    silent = {r.project.slug for r in result.silent}
    assert silent == {row["slug"] for row in missing} - {
        r.project.slug for r in result.reported}
    assert {r.state for r in result.reports} <= set(State.LABELS)


def test_campaign_query_count_does_not_grow_with_projects(faad, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        result = campaign(faad, 2024)
        _ = [r.state for r in result.reports], result.missing_rows()
    assert len(result.reports) == ProjectPage.objects.live().filter(programme=faad).count()
