"""The yearly reporting campaign of a programme: which projects have reported which
indicators for a year, which have not, which figures wait for validation.

A project "tracks" the indicators it has any figure of (a target, a baseline or a value, any
period). For year Y it is expected to report unless its dates say it had ended or not yet
started. A figure belongs to the year its period ends in (`aggregation.reporting_year`).
Totals of the year come from the precomputed `IndicatorAggregate` rows, made by the
aggregation rules, validated and declared apart with the number of projects behind each.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from indicators import aggregation
from indicators.aggregation import Figure
from indicators.models import IndicatorAggregate, IndicatorValue, Kind
from projects.models import ProgrammeCall, ProjectOrganisation, ProjectPage

FIRST_YEAR = 2000


class State:
    COMPLETE = "complete"
    PARTIAL = "partial"
    NONE = "none"
    NO_INDICATOR = "no-indicator"
    NOT_EXPECTED = "not-expected"

    LABELS = {
        COMPLETE: _("every indicator reported"),
        PARTIAL: _("partly reported"),
        NONE: _("nothing reported"),
        NO_INDICATOR: _("no indicator tracked"),
        NOT_EXPECTED: _("not running that year"),
    }


@dataclass
class ProjectReport:
    project: ProjectPage
    carrier: str
    expected: bool
    tracked: dict[str, str]  # code → label, in label order
    validated: list[Figure] = field(default_factory=list)
    declared: list[Figure] = field(default_factory=list)

    @property
    def reported_codes(self) -> set[str]:
        return {f.code for f in self.validated + self.declared}

    @property
    def missing(self) -> list[tuple[str, str]]:
        reported = self.reported_codes
        return [(code, label) for code, label in self.tracked.items() if code not in reported]

    @property
    def state(self) -> str:
        if not self.expected:
            return State.NOT_EXPECTED
        if not self.tracked:
            return State.NO_INDICATOR
        if not self.reported_codes:
            return State.NONE
        return State.PARTIAL if self.missing else State.COMPLETE

    @property
    def state_label(self) -> str:
        return str(State.LABELS[self.state])

    @property
    def has_missing(self) -> bool:
        return self.expected and (not self.tracked or bool(self.missing))


@dataclass
class YearTotal:
    code: str
    label: str
    unit: str
    measure: str
    validated_value: object
    validated_projects: int
    declared_value: object
    declared_projects: int
    target_value: object
    target_projects: int


@dataclass
class Campaign:
    programme: object
    year: int
    reports: list[ProjectReport]
    totals: list[YearTotal]

    @property
    def expected(self) -> list[ProjectReport]:
        return [r for r in self.reports if r.expected]

    @property
    def reported(self) -> list[ProjectReport]:
        return [r for r in self.expected if r.reported_codes]

    @property
    def silent(self) -> list[ProjectReport]:
        """Expected projects without a single figure for the year."""
        return [r for r in self.expected if not r.reported_codes]

    @property
    def waiting(self) -> list[tuple[ProjectReport, Figure]]:
        """Declared figures of the year: they wait for a validator."""
        return [(r, f) for r in self.reports for f in r.declared]

    @property
    def validated_figures(self) -> int:
        return sum(len(r.validated) for r in self.reports)

    @property
    def declared_figures(self) -> int:
        return sum(len(r.declared) for r in self.reports)

    @property
    def validated_projects(self) -> int:
        return sum(1 for r in self.reports if r.validated)

    @property
    def declared_projects(self) -> int:
        return sum(1 for r in self.reports if r.declared)

    def missing_rows(self) -> list[dict]:
        """One row per report to chase: an expected project and an indicator it tracks but has
        not reported (or the project alone, when it tracks none): the CSV for the team."""
        rows = []
        for report in self.expected:
            base = {"projet": report.project.title, "slug": report.project.slug,
                    "porteur": report.carrier, "annee": self.year}
            if not report.tracked:
                rows.append({**base, "code_indicateur": "", "indicateur": "",
                             "manque": str(_("no indicator tracked: ask for the figures"))})
            for code, label in report.missing:
                rows.append({**base, "code_indicateur": code, "indicateur": label,
                             "manque": str(_("no figure for the year"))})
        return rows


def _expected(project: ProjectPage, year: int) -> bool:
    if project.end_date and project.end_date.year < year:
        return False
    if project.start_date and project.start_date.year > year:
        return False
    return not (project.call_year and project.call_year > year)


def year_is_valid(year: int) -> bool:
    return FIRST_YEAR <= year <= datetime.date.today().year + 1


def campaign(programme, year: int) -> Campaign:
    """Everything the campaign page and its CSV show, in five queries whatever the size."""
    carriers = Prefetch(
        "organisation_roles",
        queryset=ProjectOrganisation.objects.filter(role=ProjectOrganisation.Role.CARRIER)
        .select_related("organisation").order_by("sort_order"),
        to_attr="carrier_roles")
    projects = list(ProjectPage.objects.live().filter(programme=programme)
                    .only("pk", "title", "slug", "url_path", "path", "depth", "start_date",
                          "end_date", "call_year", "programme_id", "content_type_id")
                    .prefetch_related(carriers).order_by("title"))
    values = (IndicatorValue.objects.filter(project__in=[p.pk for p in projects])
              .exclude(kind=Kind.CONTEXT).order_by("definition__label", "period_start", "pk"))
    by_project: dict[int, list[Figure]] = {p.pk: [] for p in projects}
    for figure in aggregation.figures(values):
        by_project[figure.project_id].append(figure)
    reports = []
    for project in projects:
        items = by_project[project.pk]
        tracked = dict(sorted({f.code: f.label for f in items}.items(), key=lambda kv: kv[1]))
        of_year = [f for f in items if f.year == year and f.kind in aggregation.ACTUAL_KINDS
                   and (f.value is not None or f.value_text)]
        reports.append(ProjectReport(
            project=project,
            carrier=", ".join(r.organisation.name for r in project.carrier_roles),
            expected=_expected(project, year), tracked=tracked,
            validated=[f for f in of_year if f.is_validated],
            declared=[f for f in of_year if not f.is_validated]))
    return Campaign(programme=programme, year=year, reports=reports,
                    totals=year_totals(programme, year))


def year_totals(programme, year: int | None) -> list[YearTotal]:
    """The precomputed totals of a programme for a year (None: every period), every
    territory together, one per indicator."""
    rows = (IndicatorAggregate.objects.filter(programme=programme, year=year,
                                              territory__isnull=True)
            .select_related("definition").order_by("-definition__is_shared",
                                                   "definition__label"))
    return [YearTotal(
        code=row.definition.code, label=row.definition.label, unit=row.definition.unit,
        measure=row.definition.measure,
        validated_value=row.validated_value, validated_projects=row.validated_projects,
        declared_value=row.declared_value, declared_projects=row.declared_projects,
        target_value=row.target_value, target_projects=row.target_projects,
    ) for row in rows]


def campaign_years(programme) -> list[int]:
    """The years worth a campaign page: those of the programme's figures and calls, and the
    current year. One small query (a UNION) over precomputed rows."""
    figures = IndicatorAggregate.objects.filter(programme=programme, year__isnull=False)
    calls = ProgrammeCall.objects.filter(programme=programme, year__isnull=False)
    years = set(figures.order_by().values_list("year", flat=True)
                .union(calls.order_by().values_list("year", flat=True)))
    years.add(datetime.date.today().year)
    return sorted(y for y in years if year_is_valid(y))
