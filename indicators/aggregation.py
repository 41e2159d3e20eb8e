"""Honest totals of indicator figures: the only place where figures are added up.

The rules (after Akvo RSR's results framework, where only approved updates count and
cumulative indicators are not summed):

- only figures of **one definition** are added (a definition has one unit: "personnes" and
  "ménages" are never mixed); `aggregate()` refuses a mix, `totals()` keeps definitions apart;
- only **validated** figures make the total; declared ones are totalled apart, never mixed in;
- `sum` definitions add a project's figures over its periods, then add projects; where two
  periods of one project overlap (or are unknown), only one figure is kept, the latest-ending
  and widest, so that "4 000 in 2024–2025" and "1 800 in 2024" never make 5 800;
- `latest` definitions (cumulative indicators) take each project's latest figure, then add
  projects;
- `none` definitions and qualitative ones are never totalled;
- a **percentage is never summed** nor averaged: when every counted figure gives its numerator
  and denominator, the pooled rate is sum(numerators) / sum(denominators); otherwise no total;
- figures given only as words ("une trentaine") are counted as such, never as numbers;
- context figures (about a territory) are never totalled across projects;
- every total says how many projects it comes from.

Functions work on plain `Figure` records, so that dashboards, exports and the API get the same
numbers from querysets, model instances (also unsaved ones, in page previews) or dictionaries.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from decimal import Decimal
from typing import Any

from django.db.models import F, QuerySet, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from indicators.models import Aggregation, IndicatorValue, Kind, Measure, period_label

DECLARED = IndicatorValue.Status.DECLARED
VALIDATED = IndicatorValue.Status.VALIDATED
ACTUAL_KINDS = frozenset({Kind.OUTPUT, Kind.OUTCOME})
HUNDRED = Decimal(100)
#: Territory columns a figure never needs (simplified geometry can weigh kilobytes per row).
HEAVY = ("territory__geometry", "territory__bbox")

#: What a `Figure` reads of an IndicatorValue row, and of its definition and territory.
FIGURE_FIELDS = ("id", "kind", "status", "project_id", "territory_id", "value", "target",
                 "baseline", "numerator", "denominator", "period_start", "period_end",
                 "value_text", "source_note")
FIGURE_JOINED = {
    "code": F("definition__code"), "label": F("definition__label"),
    "unit": F("definition__unit"), "measure": F("definition__measure"),
    "aggregation": F("definition__aggregation"),
    "higher_is_better": F("definition__higher_is_better"),
    "territory_name": Coalesce(F("territory__name"), Value("")),
}


@functools.cache
def _figure_fields() -> frozenset[str]:
    return frozenset(f.name for f in fields(Figure))


class MixedFiguresError(ValueError):
    """Figures of different definitions or units were given to one total."""


@dataclass(frozen=True)
class Figure:
    """One figure, detached from the ORM: what the aggregation rules need to know."""

    code: str
    label: str = ""
    unit: str = ""
    measure: str = Measure.COUNT
    aggregation: str = Aggregation.SUM
    higher_is_better: bool = True
    kind: str = Kind.OUTPUT
    status: str = DECLARED
    project_id: int | None = None
    territory_id: int | None = None
    value: Decimal | None = None
    target: Decimal | None = None
    baseline: Decimal | None = None
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    period_start: datetime.date | None = None
    period_end: datetime.date | None = None
    value_text: str = ""
    source_note: str = ""
    territory_name: str = ""
    id: int | None = None  # the IndicatorValue's pk, for drill-down tables


    @classmethod
    def from_value(cls, value: IndicatorValue) -> Figure:
        definition = value.definition
        territory = value.territory if value.territory_id else None
        return cls(
            code=definition.code, label=definition.label, unit=definition.unit,
            measure=definition.measure, aggregation=definition.aggregation,
            higher_is_better=definition.higher_is_better, kind=value.kind,
            status=value.status, project_id=value.project_id, territory_id=value.territory_id,
            value=value.value, target=value.target, baseline=value.baseline,
            numerator=value.numerator, denominator=value.denominator,
            period_start=value.period_start, period_end=value.period_end,
            value_text=value.value_text, source_note=value.source_note,
            territory_name=territory.name if territory else "", id=value.pk,
        )

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> Figure:
        known = _figure_fields()
        values = {k: v for k, v in data.items() if k in known}
        for name in ("value", "target", "baseline", "numerator", "denominator"):
            if values.get(name) is not None:
                values[name] = Decimal(str(values[name]))
        return cls(**values)

    @property
    def is_validated(self) -> bool:
        return self.status == VALIDATED

    @property
    def is_dated(self) -> bool:
        return self.period_start is not None or self.period_end is not None

    @property
    def start(self) -> datetime.date:
        return self.period_start or self.period_end or datetime.date.min

    @property
    def end(self) -> datetime.date:
        return self.period_end or self.period_start or datetime.date.max

    @property
    def period_label(self) -> str:
        return period_label(self.period_start, self.period_end)

    @property
    def year(self) -> int | None:
        return reporting_year(self.period_start, self.period_end)

    def overlaps(self, other: Figure) -> bool:
        """Undated figures overlap everything: their period is unknown."""
        if not self.is_dated or not other.is_dated:
            return True
        return self.start <= other.end and other.start <= self.end

    def within(self, other: Figure) -> bool:
        """Whether this figure's period lies inside `other`'s (an undated `other` holds all)."""
        if not other.is_dated:
            return True
        return self.is_dated and other.start <= self.start and self.end <= other.end


def reporting_year(start: datetime.date | None, end: datetime.date | None) -> int | None:
    """The year a figure is reported for: the year its period ends (a 2024–2025 figure is
    reported in the 2025 campaign), else the year it starts; None when undated (an undated
    figure counts in the all-periods total only)."""
    day = end or start
    return day.year if day else None


def figures(source: Iterable[IndicatorValue | Figure | Mapping] | QuerySet) -> list[Figure]:
    """Plain records from a queryset of values, model instances, dicts or figures.

    A queryset is read as rows (`values()`), its definition and territory joined in the same
    statement: building thousands of model instances (a national campaign page reads 6,000
    figures) cost three quarters of the page's time."""
    if isinstance(source, QuerySet):
        source = source.values(*FIGURE_FIELDS, **FIGURE_JOINED)
    out = []
    for item in source:
        if isinstance(item, Figure):
            out.append(item)
        elif isinstance(item, IndicatorValue):
            out.append(Figure.from_value(item))
        else:
            out.append(Figure.from_mapping(item))
    return out


def _preference(figure: Figure):
    """Latest-ending first, then widest (earliest start), dated before undated."""
    return (figure.is_dated, figure.end, -figure.start.toordinal())


def _non_overlapping(items: list[Figure]) -> tuple[list[Figure], int]:
    """The figures of one project that can be added without counting a period twice, and how
    many were set aside because their period overlaps a kept one."""
    kept: list[Figure] = []
    for figure in sorted(items, key=_preference, reverse=True):
        if not any(figure.overlaps(other) for other in kept):
            kept.append(figure)
    return kept, len(items) - len(kept)


def _latest(items: list[Figure]) -> Figure:
    return max(items, key=_preference)


@dataclass
class Reduced:
    """One side (validated, declared or targets) of a total."""

    value: Decimal | None = None
    projects: int = 0
    figures: int = 0
    set_aside: int = 0
    counted: frozenset = frozenset()  # ids of the figures the total adds (drill-down tables)


def _reduce(items: list[Figure], aggregation: str, measure: str, number: str) -> Reduced:
    """Apply the aggregation rule to the `number` attribute ("value" or "target") of figures
    of one definition: per project first, then across projects."""
    items = [f for f in items if getattr(f, number) is not None]
    if not items or aggregation == Aggregation.NONE or measure == Measure.QUALITATIVE:
        return Reduced(figures=len(items))
    by_subject: dict[Any, list[Figure]] = {}
    for figure in items:
        subject = figure.project_id if figure.project_id is not None else ("t", figure.territory_id)
        by_subject.setdefault(subject, []).append(figure)
    chosen: list[Figure] = []
    set_aside = 0
    for group in by_subject.values():
        if aggregation == Aggregation.LATEST:
            chosen.append(_latest(group))
            set_aside += len(group) - 1
        else:
            kept, aside = _non_overlapping(group)
            chosen += kept
            set_aside += aside
    if measure == Measure.PERCENT:
        return _pooled_rate(chosen, number, len(items), set_aside)
    total = sum((getattr(f, number) for f in chosen), Decimal(0))
    return Reduced(value=total, projects=len(by_subject), figures=len(items), set_aside=set_aside,
                   counted=frozenset(f.id for f in chosen if f.id is not None))


def _pooled_rate(chosen: list[Figure], number: str, count: int, set_aside: int) -> Reduced:
    """A percentage total only exists as sum(numerators) / sum(denominators), and only when
    every figure gives both: summing or averaging rates would be wrong."""
    if number != "value" or not chosen or any(
        f.numerator is None or not f.denominator for f in chosen
    ):
        return Reduced(figures=count, set_aside=set_aside)
    numerator = sum((f.numerator for f in chosen), Decimal(0))
    denominator = sum((f.denominator for f in chosen), Decimal(0))
    subjects = {f.project_id if f.project_id is not None else ("t", f.territory_id) for f in chosen}
    return Reduced(value=numerator / denominator * HUNDRED, projects=len(subjects), figures=count,
                   set_aside=set_aside,
                   counted=frozenset(f.id for f in chosen if f.id is not None))


@dataclass
class Total:
    """The total of one definition across projects, validated and declared kept apart."""

    code: str
    label: str
    unit: str
    measure: str
    aggregation: str
    validated: Reduced = field(default_factory=Reduced)
    declared: Reduced = field(default_factory=Reduced)
    targets: Reduced = field(default_factory=Reduced)
    text_only: int = 0

    @property
    def value(self) -> Decimal | None:
        """The total that may be published: validated figures only."""
        return self.validated.value

    @property
    def projects(self) -> int:
        return self.validated.projects

    @property
    def is_aggregable(self) -> bool:
        return self.aggregation != Aggregation.NONE and self.measure != Measure.QUALITATIVE

    @property
    def rule(self) -> str:
        """How the total is made, in words, for the table next to it."""
        if not self.is_aggregable:
            return str(_("never added up"))
        if self.measure == Measure.PERCENT:
            return str(_("pooled rate: sum of numerators / sum of denominators"))
        if self.aggregation == Aggregation.LATEST:
            return str(_("latest figure of each project, added across projects"))
        return str(_("sum over periods and projects"))

    def as_row(self) -> dict:
        """A flat dictionary for CSV, spreadsheets and JSON."""
        return {
            "code": self.code, "label": self.label, "unit": self.unit,
            "measure": self.measure, "aggregation": self.aggregation,
            "validated_total": self.validated.value, "validated_projects": self.validated.projects,
            "declared_total": self.declared.value, "declared_projects": self.declared.projects,
            "target_total": self.targets.value, "target_projects": self.targets.projects,
            "text_only_figures": self.text_only, "rule": self.rule,
        }


def _check_one_definition(items: list[Figure]) -> Figure:
    first = items[0]
    for figure in items[1:]:
        if (figure.code, figure.unit, figure.measure) != (first.code, first.unit, first.measure):
            raise MixedFiguresError(
                f"cannot add {figure.code} ({figure.unit}) to {first.code} ({first.unit})"
            )
    return first


def aggregate(source) -> Total | None:
    """The total of figures of ONE definition (None if there are none).

    Raises MixedFiguresError if figures of several definitions or units are given: callers
    wanting several totals use `totals()`, which keeps them apart.
    """
    items = [f for f in figures(source) if f.kind != Kind.CONTEXT]
    if not items:
        return None
    first = _check_one_definition(items)
    actuals = [f for f in items if f.kind in ACTUAL_KINDS]
    rule = (first.aggregation, first.measure)
    return Total(
        code=first.code, label=first.label, unit=first.unit, measure=first.measure,
        aggregation=first.aggregation,
        validated=_reduce([f for f in actuals if f.is_validated], *rule, "value"),
        declared=_reduce([f for f in actuals if not f.is_validated], *rule, "value"),
        targets=_reduce(items, *rule, "target"),
        text_only=sum(1 for f in items if f.value is None and f.target is None and f.value_text),
    )


def totals(source) -> list[Total]:
    """One total per definition, in the order definitions first appear: never mixed."""
    groups: dict[str, list[Figure]] = {}
    for figure in figures(source):
        if figure.kind != Kind.CONTEXT:
            groups.setdefault(figure.code, []).append(figure)
    return [total for items in groups.values() if (total := aggregate(items)) is not None]


@dataclass
class Progress:
    """How far a project is towards one target, from validated or declared figures."""

    target: Figure
    achieved: Decimal | None
    basis: str  # VALIDATED or DECLARED

    @property
    def percent(self) -> int | None:
        if self.achieved is None or not self.target.target:
            return None
        return int(round(self.achieved / self.target.target * HUNDRED))

    @property
    def bar_percent(self) -> int:
        """The width of the bar: capped at 100 (the text says when the target is exceeded)."""
        return max(0, min(100, self.percent or 0))

    @property
    def is_validated(self) -> bool:
        return self.basis == VALIDATED


@dataclass
class KeyFigure:
    """Everything a project says about one indicator: targets, baseline, actuals by period,
    progress towards each target, validated and declared apart."""

    code: str
    label: str
    unit: str
    measure: str
    aggregation: str
    higher_is_better: bool = True
    targets: list[Figure] = field(default_factory=list)
    actuals: list[Figure] = field(default_factory=list)
    texts: list[Figure] = field(default_factory=list)
    progress: list[Progress] = field(default_factory=list)

    @property
    def baseline(self) -> Decimal | None:
        numbers = [f for f in self.targets + self.actuals if f.baseline is not None]
        return _latest(numbers).baseline if numbers else None

    @property
    def has_declared(self) -> bool:
        return any(not f.is_validated for f in self.actuals)

    @property
    def validated_actuals(self) -> list[Figure]:
        return [f for f in self.actuals if f.is_validated]

    @property
    def declared_actuals(self) -> list[Figure]:
        """Figures the carrier reported that no validator has validated yet: never shown
        under the validated ones."""
        return [f for f in self.actuals if not f.is_validated]


def _achieved(actuals: list[Figure], target: Figure, aggregation: str, measure: str,
              basis: str) -> Decimal | None:
    """What the figures of one status achieve over the target's period. A target without a
    period is compared with every figure; a dated target with the figures inside its period."""
    inside = [f for f in actuals if f.status == basis and f.value is not None and f.within(target)]
    if not inside:
        return None
    if aggregation == Aggregation.NONE or measure == Measure.PERCENT:
        # Not addable: only a single figure (or the latest one) can be compared with a target.
        return _latest(inside).value
    return _reduce(inside, aggregation, measure, "value").value


def key_figures(source) -> tuple[list[KeyFigure], list[Figure]]:
    """A project's figures grouped by definition (targets, actuals, progress), and its
    context figures apart (they describe territories, not what the project did)."""
    groups: dict[str, KeyFigure] = {}
    context: list[Figure] = []
    for figure in figures(source):
        if figure.kind == Kind.CONTEXT:
            context.append(figure)
            continue
        group = groups.setdefault(figure.code, KeyFigure(
            code=figure.code, label=figure.label, unit=figure.unit, measure=figure.measure,
            aggregation=figure.aggregation, higher_is_better=figure.higher_is_better,
        ))
        if figure.target is not None:
            group.targets.append(figure)
        if figure.value is not None and figure.kind in ACTUAL_KINDS:
            group.actuals.append(figure)
        elif figure.value is None and figure.target is None:
            group.texts.append(figure)
    for group in groups.values():
        group.actuals.sort(key=lambda f: (f.start, f.end))
        group.targets.sort(key=lambda f: (f.start, f.end))
        if not group.higher_is_better:
            continue  # "towards the target" means nothing when less is better: figures only
        for target in group.targets:
            for basis in (VALIDATED, DECLARED):
                achieved = _achieved(group.actuals, target, group.aggregation, group.measure,
                                     basis)
                if achieved is not None:
                    group.progress.append(Progress(target=target, achieved=achieved,
                                                   basis=basis))
    return list(groups.values()), context


def project_key_figures(project) -> tuple[list[KeyFigure], list[Figure]]:
    """Key figures of one project page, read through its child relation so that unsaved
    edits (page previews) show too. For exports and the API as well as the project page."""
    values = project.indicator_values.all()
    if isinstance(values, QuerySet):
        values = values.select_related("definition", "territory").defer(*HEAVY)
    return key_figures(values)


def programme_values(programme=None) -> QuerySet:
    """Figures of the live projects of a programme (every programme if None), in the home
    region: the examples elsewhere in France are not totalled (DESIGN.md §1, "Scope")."""
    values = IndicatorValue.objects.filter(project__live=True, project__in_home_region=True)
    if programme is not None:
        values = values.filter(project__programme=programme)
    return values.select_related("definition", "territory").defer(*HEAVY).order_by(
        "definition__label", "project_id", "period_start", "pk")


def programme_totals(programme=None, shared_only: bool = True) -> list[Total]:
    """Totals of a programme's figures (of every programme if None), one per definition;
    by default only the shared catalogue, whose definitions are comparable across projects.
    For dashboards, exports and the API: one query."""
    values = programme_values(programme)
    if shared_only:
        values = values.filter(definition__is_shared=True)
    return totals(values.exclude(kind=Kind.CONTEXT))


def key_figures_by_project(project_ids) -> dict[int, tuple[list[KeyFigure], list[Figure]]]:
    """Key figures of many projects in one query (exports, the API, benchmarks), grouped as
    `project_key_figures` groups one page's: calling that per project is a query each."""
    ids = list(project_ids)
    grouped: dict[int, list[IndicatorValue]] = {pk: [] for pk in ids}
    values = (IndicatorValue.objects.filter(project_id__in=ids)
              .select_related("definition", "territory").defer(*HEAVY)
              .order_by("project_id", "sort_order", "pk"))
    for value in values:
        grouped[value.project_id].append(value)
    return {pk: key_figures(items) for pk, items in grouped.items()}
