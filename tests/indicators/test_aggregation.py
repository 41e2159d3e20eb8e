"""The aggregation rules, on plain records: what may be added, what may not, and how."""

import datetime
from decimal import Decimal

import pytest
from django.utils.translation import gettext

from indicators.aggregation import (
    Figure,
    MixedFiguresError,
    aggregate,
    figures,
    key_figures,
    totals,
)

D = Decimal


def year(y):
    return {"period_start": datetime.date(y, 1, 1), "period_end": datetime.date(y, 12, 31)}


def fig(project, value=None, *, code="participants", status="validated", kind="output", **kw):
    base = {"code": code, "label": code, "unit": "personnes", "measure": "count",
            "aggregation": "sum", "kind": kind, "status": status, "project_id": project,
            "value": value}
    base.update(kw)
    return Figure.from_mapping(base)


@pytest.mark.smoke
def test_sum_adds_validated_figures_only_and_shows_declared_apart():
    total = aggregate([fig(1, 100), fig(2, 50), fig(3, 1000, status="declared")])
    assert total.value == D(150)
    assert total.projects == 2
    assert total.declared.value == D(1000)
    assert total.declared.projects == 1


@pytest.mark.smoke
def test_sum_adds_a_projects_separate_years():
    total = aggregate([fig(1, 100, **year(2023)), fig(1, 150, **year(2024)), fig(2, 10)])
    assert total.value == D(260)
    assert total.projects == 2
    assert total.validated.set_aside == 0


def test_sum_never_counts_overlapping_periods_twice():
    two_years = {"period_start": datetime.date(2024, 1, 1),
                 "period_end": datetime.date(2025, 12, 31)}
    total = aggregate([fig(1, 4000, **two_years), fig(1, 1800, **year(2024))])
    assert total.value == D(4000)  # the 2024 figure is inside the 2024–2025 one
    assert total.validated.set_aside == 1


def test_two_undated_figures_of_one_project_are_not_added():
    total = aggregate([fig(1, 45), fig(1, 160)])
    assert total.value in (D(45), D(160))
    assert total.validated.set_aside == 1


@pytest.mark.smoke
def test_cumulative_indicator_takes_each_projects_latest_figure():
    records = [fig(1, 100, aggregation="latest", **year(2023)),
               fig(1, 180, aggregation="latest", **year(2024)),
               fig(1, 250, aggregation="latest", **year(2025)),
               fig(2, 40, aggregation="latest", **year(2024))]
    total = aggregate(records)
    assert total.value == D(290)  # 250 (project 1, 2025) + 40 (project 2), not 570
    assert total.projects == 2
    assert total.rule == gettext("latest figure of each project, added across projects")


def test_cumulative_latest_ignores_declared_figures_for_the_validated_total():
    records = [fig(1, 100, aggregation="latest", **year(2023)),
               fig(1, 999, aggregation="latest", status="declared", **year(2024))]
    total = aggregate(records)
    assert total.value == D(100)
    assert total.declared.value == D(999)


@pytest.mark.smoke
def test_mixed_units_are_refused_by_aggregate_and_kept_apart_by_totals():
    people = fig(1, 10)
    households = fig(2, 5, code="menages-accompagnes", unit="ménages")
    with pytest.raises(MixedFiguresError):
        aggregate([people, households])
    same_code_other_unit = fig(3, 7, unit="familles")
    with pytest.raises(MixedFiguresError):
        aggregate([people, same_code_other_unit])
    result = {t.code: t for t in totals([people, households, fig(4, 3)])}
    assert result["participants"].value == D(13)
    assert result["participants"].unit == "personnes"
    assert result["menages-accompagnes"].value == D(5)
    assert result["menages-accompagnes"].unit == "ménages"


@pytest.mark.smoke
def test_percentages_are_never_summed_without_numerator_and_denominator():
    rates = [fig(1, 40, code="taux", unit="%", measure="percent", aggregation="latest"),
             fig(2, 60, code="taux", unit="%", measure="percent", aggregation="latest")]
    total = aggregate(rates)
    assert total.value is None  # neither 100 nor an average of 50
    assert total.validated.figures == 2
    assert total.rule == gettext("pooled rate: sum of numerators / sum of denominators")


def test_percentages_pool_numerators_and_denominators():
    rates = [fig(1, 30, code="taux", unit="%", measure="percent", aggregation="latest",
                 numerator=30, denominator=100),
             fig(2, 60, code="taux", unit="%", measure="percent", aggregation="latest",
                 numerator=6, denominator=10)]
    total = aggregate(rates)
    assert total.value.quantize(D("0.01")) == D("32.73")  # 36 / 110, not (30 + 60) / 2
    assert total.projects == 2


def test_a_percentage_without_its_denominator_spoils_the_pooled_rate():
    rates = [fig(1, 30, code="taux", unit="%", measure="percent", aggregation="latest",
                 numerator=30, denominator=100),
             fig(2, 60, code="taux", unit="%", measure="percent", aggregation="latest")]
    assert aggregate(rates).value is None


def test_never_aggregated_definitions_have_no_total():
    total = aggregate([fig(1, 47, code="communes-desservies", aggregation="none"),
                       fig(2, 64, code="communes-desservies", aggregation="none")])
    assert total.value is None
    assert total.declared.value is None
    assert total.is_aggregable is False
    assert total.rule == gettext("never added up")


def test_words_only_figures_are_counted_as_such_not_as_numbers():
    total = aggregate([fig(1, 10), fig(2, None, value_text="une trentaine")])
    assert total.value == D(10)
    assert total.projects == 1
    assert total.text_only == 1


def test_targets_are_totalled_apart_from_actuals():
    records = [fig(1, None, kind="target", target=600, status="declared"),
               fig(1, 450), fig(2, None, kind="target", target=300, status="declared")]
    total = aggregate(records)
    assert total.value == D(450)
    assert total.targets.value == D(900)
    assert total.targets.projects == 2


def test_context_figures_are_never_totalled():
    poverty = [fig(None, 18.4, code="taux-pauvrete", unit="%", measure="percent",
                   aggregation="none", kind="context", territory_id=1),
               fig(None, 17.6, code="taux-pauvrete", unit="%", measure="percent",
                   aggregation="none", kind="context", territory_id=2)]
    assert aggregate(poverty) is None
    assert totals(poverty) == []


def test_as_row_is_flat_for_exports():
    row = aggregate([fig(1, 100), fig(2, 7, status="declared")]).as_row()
    assert row["validated_total"] == D(100)
    assert row["validated_projects"] == 1
    assert row["declared_total"] == D(7)
    assert row["unit"] == "personnes"


def test_key_figures_compare_each_target_with_the_figures_of_its_period():
    records = [fig(1, None, kind="target", target=600, status="declared", **year(2024)),
               fig(1, None, kind="target", target=600, status="declared", **year(2025)),
               fig(1, 450, **year(2024)),
               fig(1, 200, status="declared", **year(2025)),
               fig(1, 18.4, code="taux-pauvrete", unit="%", measure="percent",
                   aggregation="none", kind="context", territory_id=9)]
    groups, context = key_figures(records)
    assert [g.code for g in groups] == ["participants"]
    assert [c.code for c in context] == ["taux-pauvrete"]
    group = groups[0]
    assert [f.period_label for f in group.actuals] == ["2024", "2025"]
    progress = {(p.target.period_label, p.basis): p for p in group.progress}
    assert progress[("2024", "validated")].percent == 75
    assert progress[("2025", "declared")].percent == 33
    assert ("2025", "validated") not in progress  # a declared figure is never shown as validated
    assert group.has_declared


def test_key_figures_compare_an_undated_target_with_all_figures_and_cap_the_bar():
    records = [fig(1, None, kind="target", target=100, status="declared"),
               fig(1, 70, **year(2024)), fig(1, 60, **year(2025))]
    (group,), _context = key_figures(records)
    (progress,) = group.progress
    assert progress.achieved == D(130)
    assert progress.percent == 130
    assert progress.bar_percent == 100


def test_no_progress_towards_a_target_when_lower_is_better():
    records = [fig(1, None, kind="target", target=10, higher_is_better=False),
               fig(1, 12, higher_is_better=False)]
    (group,), _context = key_figures(records)
    assert group.progress == []
    assert [f.value for f in group.actuals] == [D(12)]


def test_figures_accept_dicts_and_figures_alike():
    record = fig(1, 5)
    assert figures([record, {"code": "x", "value": "2.5"}])[1].value == D("2.5")
    assert figures([record])[0] is record
