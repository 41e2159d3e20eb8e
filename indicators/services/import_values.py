"""Import of a year's indicator reports from a spreadsheet (template:
fixtures/import/modele-valeurs-indicateurs.*): one row per project, indicator and period.

`plan_values` reads and checks every row (projects by dossier number or slug within the
programme, indicators by code or label, every value by `IndicatorValue`'s own validation) and
compares it with the project's figures; it writes nothing (the dry run, the admin preview).
`import_values` writes a plan without problems in one transaction.

Values arrive « déclaré »: only a validator makes them count in validated totals. Keyed on
(project, indicator, period): a second run changes nothing; a changed number updates that
figure (and sends it back to « déclaré »). Figures are child rows of the project page, so
they are written through a new revision of the page: published at once when the page is
live without pending changes, otherwise left in the draft for staff to publish. Nothing is
ever deleted.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from indicators import precomputed
from indicators.models import IndicatorDefinition, IndicatorValue
from maps.models import normalize_name
from maps.services.reports import ImportRejected, ImportReport, status_label
from maps.services.validation import (
    Columns,
    Problems,
    RowReader,
    cell_text,
    open_table,
    parse_date,
    parse_decimal,
    parse_year,
)
from projects.models import ProgrammePage, ProjectPage
from projects.services.bulk import bulk_writes

COLUMNS = {
    "numero_dossier": ("numero", "n dossier", "no dossier", "numero de dossier", "dossier"),
    "projet": ("slug", "projet slug"),
    "indicateur": ("code indicateur", "indicateur code", "code"),
    "periode_debut": ("debut", "date debut", "debut periode"),
    "periode_fin": ("fin", "date fin", "fin periode"),
    "annee": ("annee de reference", "exercice"),
    "valeur": ("realise", "valeur realisee", "resultat"),
    "cible": ("objectif", "valeur cible"),
    "commentaire": ("commentaires", "remarque"),
    "source": ("source de la donnee",),
}
REQUIRED = ("indicateur",)
VALUE_COLUMNS = {"value": "valeur", "target": "cible", "period_start": "periode_debut",
                 "period_end": "periode_fin", "comment": "commentaire", "source_note": "source"}

Progress = Callable[[int, int], None]


@dataclass
class ValueRow:
    line: int
    project: ProjectPage
    value: IndicatorValue
    status: str = "created"

    @property
    def label(self) -> str:
        period = self.value.period_label
        return f"{self.project.title} — {self.value.definition.label} ({period})"

    @property
    def status_label(self) -> str:
        return status_label(self.status)

    @property
    def key(self):
        return (self.project.pk, self.value.definition_id, self.value.period_start,
                self.value.period_end)


@dataclass
class ValuePlan:
    programme: ProgrammePage
    file: str
    problems: Problems
    rows: list[ValueRow] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for row in self.rows if row.status == status)

    def report(self) -> ImportReport:
        report = ImportReport(_("Indicator values"))
        report.created, report.updated = self.count("created"), self.count("updated")
        report.unchanged = self.count("unchanged")
        return report


def plan_values(raw: bytes, filename: str, programme: ProgrammePage, *,
                sheet: str | None = None) -> ValuePlan:
    """Read and check an indicator report file against the database; writes nothing."""
    problems = Problems(word="colonne")
    plan = ValuePlan(programme, filename, problems)
    columns = open_table(raw, filename, problems, COLUMNS, REQUIRED, sheet=sheet)
    if columns is None:
        return plan
    if "numero_dossier" not in columns.index and "projet" not in columns.index:
        problems.add_file(filename, _("a “numero_dossier” or “projet” column is required"))
    if "annee" not in columns.index and "periode_fin" not in columns.index:
        problems.add_file(filename, _("an “annee” or “periode_fin” column is required"))
    if problems:
        return plan
    plan.rows = _RowReader(programme, columns, problems).rows(
        lambda row: row.key, "indicateur",
        _("same project, indicator and period as line %(line)s"))
    _compare(plan)
    return plan


class _RowReader(RowReader):
    def __init__(self, programme, columns: Columns, problems: Problems):
        super().__init__(columns, problems)
        projects = list(ProjectPage.objects.child_of(programme).specific())
        self.by_number = {p.dossier_number: p for p in projects if p.dossier_number}
        self.by_slug = {p.slug: p for p in projects}
        self.definitions = {}
        for definition in IndicatorDefinition.objects.all():
            self.definitions.setdefault(normalize_name(definition.code), definition)
            self.definitions.setdefault(normalize_name(definition.label), definition)

    def read(self, line: int, cells: list) -> ValueRow | None:
        before = len(self.problems.errors)
        text = {c: cell_text(self.columns.cell(cells, c)) for c in COLUMNS}
        project = None
        if text["numero_dossier"]:
            project = self.by_number.get(text["numero_dossier"])
            if project is None:
                self.add(line, "numero_dossier", _(
                    "no project of this programme has the application number “%(value)s”")
                    % {"value": text["numero_dossier"]})
        elif text["projet"]:
            project = self.by_slug.get(text["projet"])
            if project is None:
                self.add(line, "projet", _("no project of this programme is called "
                                           "“%(value)s”") % {"value": text["projet"]})
        else:
            self.add(line, "numero_dossier" if "numero_dossier" in self.columns.index
                     else "projet", _("required value missing"))
        definition = self.definitions.get(normalize_name(text["indicateur"]))
        if not text["indicateur"]:
            self.add(line, "indicateur", _("required value missing"))
        elif definition is None:
            self.add(line, "indicateur", _(
                "unknown indicator “%(value)s” (give its code or label from the catalogue)")
                % {"value": text["indicateur"]})
        start = self.parse(line, cells, "periode_debut", parse_date)
        end = self.parse(line, cells, "periode_fin", parse_date)
        year = self.parse(line, cells, "annee", parse_year)
        if year and not (start or end):
            start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
        elif not end and not len(self.problems.errors) > before:
            self.add(line, "annee" if "annee" in self.columns.index else "periode_fin",
                     _("give the year or the end of the period"))
        value = IndicatorValue(
            definition=definition, kind=definition.kind if definition else "output",
            value=self.parse(line, cells, "valeur", parse_decimal),
            target=self.parse(line, cells, "cible", parse_decimal),
            period_start=start, period_end=end, comment=text["commentaire"],
            source_note=text["source"], status=IndicatorValue.Status.DECLARED)
        if definition is not None:
            self.model(value, line, VALUE_COLUMNS, ["project", "territory", "definition"])
        if len(self.problems.errors) > before or project is None:
            return None
        return ValueRow(line, project, value)


#: What a row sets on a figure; a figure whose fields already hold these is unchanged.
FIELDS = ("value", "target", "comment", "source_note")


def _compare(plan: ValuePlan) -> None:
    """Each row against the figures of its project's latest revision."""
    latest: dict[int, ProjectPage] = {}
    for row in plan.rows:
        if row.project.pk not in latest:
            latest[row.project.pk] = row.project.get_latest_revision_as_object()
        match = _match(latest[row.project.pk].indicator_values.all(), row.value)
        if match is None:
            row.status = "created"
        elif all(getattr(match, f) == getattr(row.value, f) for f in FIELDS):
            row.status = "unchanged"
        else:
            row.status = "updated"


def _match(figures, value: IndicatorValue) -> IndicatorValue | None:
    """The figure of the same indicator and period, among a project's figures."""
    for existing in figures:
        if (existing.definition_id, existing.period_start, existing.period_end) == (
                value.definition_id, value.period_start, value.period_end):
            return existing
    return None


def import_values(plan: ValuePlan, *, user=None, progress: Progress | None = None
                  ) -> ImportReport:
    """Write a checked plan in one transaction: one new revision per project changed."""
    if plan.problems:
        raise ImportRejected(plan.problems.errors)
    report = plan.report()
    by_project: dict[int, list[ValueRow]] = {}
    for row in plan.rows:
        if row.status != "unchanged":
            by_project.setdefault(row.project.pk, []).append(row)
    with bulk_writes() as written:
        for done, rows in enumerate(by_project.values(), start=1):
            stored = rows[0].project
            publish = stored.live and not stored.has_unpublished_changes
            # Wagtail gives the page itself when it has no pending changes.
            page = stored.get_latest_revision_as_object()
            figures = list(page.indicator_values.all())
            order = max((f.sort_order for f in figures), default=-1)
            for row in rows:
                match = _match(figures, row.value)
                if match is None:
                    order += 1
                    row.value.sort_order = order
                    figures.append(row.value)
                else:
                    for name in FIELDS:
                        setattr(match, name, getattr(row.value, name))
                    match.status = IndicatorValue.Status.DECLARED
            page.indicator_values = figures
            revision = page.save_revision(user=user, log_action=True)
            if publish:
                revision.publish(user=user, log_action=True)
            else:
                report.details.setdefault("drafts", []).append(stored.title)
            written.append(page)
            if progress:
                progress(done, len(by_project))
        # Monitoring tables (indicators.precomputed) follow the figures, once.
        precomputed.refresh_projects(list(by_project))
    return report
