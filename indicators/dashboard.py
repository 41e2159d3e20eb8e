"""Monitoring dashboards: the figures of one programme (or of all), as tables.

Each table is built by one function from a `Scope` (a programme or all, and its live
projects) in one or two queries; the page shows it (with a chart where a picture reads
better) and `/suivi/[<programme>/]<table>.csv` serves the very same rows, so the chart, the
table and the download can never disagree.

Projects per département and EPCI come from `projects.coverage.projects_per_territory`
(the covered communes and their closure), the very counts of the explorer map and of the
territory pages.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.cache import cache
from django.db.models import Count, F, Q, QuerySet, Sum
from django.utils.functional import cached_property
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _t
from django.utils.translation import ngettext

from indicators import aggregation
from indicators.charts import Bar, BarGroup, bar_chart, format_number, simple_bars
from indicators.models import IndicatorValue, Kind
from maps.models import DataVersion, Scale, Territory
from projects.coverage import projects_per_territory
from projects.models import (
    ProgrammeAxis,
    ProgrammeCall,
    ProgrammePage,
    ProjectCoverage,
    ProjectPage,
    ProjectTerritory,
    Public,
    Theme,
)

#: Bars beyond this make a chart harder to read than its table: the table lists them all.
CHART_ROWS = 15


@dataclass
class Scope:
    """What a dashboard looks at: one programme's live projects, or every live project."""

    programme: ProgrammePage | None = None

    @cached_property
    def projects(self) -> QuerySet:
        queryset = ProjectPage.objects.live()
        if self.programme is not None:
            queryset = queryset.filter(programme=self.programme)
        return queryset

    @property
    def project_ids(self) -> QuerySet:
        """A subquery, never a list: the dashboards stay one query per table."""
        return self.projects.values("pk")

    @cached_property
    def data_version(self) -> int:
        return DataVersion.current()

    @property
    def slug(self) -> str:
        return self.programme.slug if self.programme else ""


@dataclass(frozen=True)
class Column:
    key: str  # the CSV header: stable, lowercase, French like the public addresses
    label: str
    numeric: bool = False
    unit: str = ""


@dataclass
class Table:
    slug: str
    title: str
    caption: str
    columns: list[Column]
    rows: list[dict] = field(default_factory=list)
    note: str = ""
    chart: SafeString | None = None
    charts: list[SafeString] = field(default_factory=list)

    @property
    def display_rows(self) -> list[list[dict]]:
        """Cells ready for the template: text and whether it is a number (right-aligned)."""
        return [
            [{"text": format_number(row.get(c.key), c.unit) if c.numeric
              else (row.get(c.key) or ""), "numeric": c.numeric} for c in self.columns]
            for row in self.rows
        ]

    def csv_rows(self) -> list[list]:
        """Header of column keys, then raw values (plain numbers, dot as decimal mark)."""
        out: list[list] = [[c.key for c in self.columns]]
        for row in self.rows:
            out.append([_raw(row.get(c.key)) for c in self.columns])
        return out


def _raw(value):
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return value


def _programme_column(scope: Scope) -> list[Column]:
    return [] if scope.programme else [Column("programme", _t("Programme"))]


# --- tables ---------------------------------------------------------------------------


def calls_table(scope: Scope) -> Table:
    """Calls for projects and yearly envelopes, as the programme publishes them, with the
    number of projects of that year present in the portal."""
    calls = ProgrammeCall.objects.filter(programme__live=True).select_related("programme")
    if scope.programme:
        calls = calls.filter(programme=scope.programme)
    calls = calls.annotate(
        portal_projects=Count("programme__projects_in_programme", distinct=True, filter=Q(
            programme__projects_in_programme__live=True,
            programme__projects_in_programme__call_year=F("year"),
        )),
        dated_projects=Count("programme__projects_in_programme", distinct=True, filter=Q(
            programme__projects_in_programme__live=True,
            programme__projects_in_programme__call_year__isnull=False,
        )),
    ).order_by(F("year").asc(nulls_last=True), "programme__path", "sort_order")
    rows = [{
        "programme": call.programme.title, "annee": call.year, "libelle": call.label,
        "enveloppe_eur": call.envelope_eur, "sollicite_eur": call.requested_eur,
        "dossiers_recus": call.dossiers_received, "dossiers_retenus": call.dossiers_retained,
        "projets_dans_le_portail": call.portal_projects if call.dated_projects else None,
        "texte_source": call.text,
        "_short": call.programme.label,
    } for call in calls]
    table = Table(
        slug="appels", title=_t("Calls for projects and budgets by year"),
        caption=_t("Envelope, amount requested and applications, by year, as published"),
        columns=[*_programme_column(scope), Column("annee", _t("Year")),
                 Column("libelle", _t("Call")),
                 Column("enveloppe_eur", _t("Envelope"), True, "€"),
                 Column("sollicite_eur", _t("Amount requested"), True, "€"),
                 Column("dossiers_recus", _t("Applications received"), True),
                 Column("dossiers_retenus", _t("Applications selected"), True),
                 Column("projets_dans_le_portail", _t("Projects of that year in the portal"),
                        True),
                 Column("texte_source", _t("As written in the source"))],
        rows=rows,
        note=_t("Empty cells: the figure is not published. Projects of that year are those "
                "whose call year is known (empty when no project of the programme gives it); "
                "the portal may not list every funded project."),
    )

    def bar_label(row):
        when = str(row["annee"]) if row["annee"] else row["libelle"]
        return when if scope.programme else f"{row['_short']} {when}"

    with_envelope = [r for r in rows if r["enveloppe_eur"] is not None]
    if with_envelope:
        table.charts.append(bar_chart(
            [BarGroup(bar_label(r), (Bar(r["enveloppe_eur"]),)) for r in with_envelope],
            chart_id=f"chart-envelope-{scope.slug or 'all'}", unit="€",
            title=_t("Envelope by year (€)"),
            description=_t("Horizontal bars, one per year; the value is written after each "
                           "bar. The table below gives the same figures."),
        ))
    with_dossiers = [r for r in rows if r["dossiers_recus"] is not None
                     or r["dossiers_retenus"] is not None]
    if with_dossiers:
        received, selected = _t("received"), _t("selected")
        table.charts.append(bar_chart(
            [BarGroup(bar_label(r), (
                Bar(r["dossiers_recus"], _dossier_text(r["dossiers_recus"], received), 0),
                Bar(r["dossiers_retenus"], _dossier_text(r["dossiers_retenus"], selected), 1),
            )) for r in with_dossiers],
            chart_id=f"chart-dossiers-{scope.slug or 'all'}",
            legend=(_t("Applications received"), _t("Applications selected")),
            title=_t("Applications received and selected by year"),
            description=_t("Two bars per year: applications received, then selected; each "
                           "bar is labelled with its number and its series."),
        ))
    return table


def _dossier_text(value, series: str) -> str:
    return f"{format_number(value)} {series}" if value is not None else f"{series}: —"


def axes_table(scope: Scope) -> Table:
    axes = ProgrammeAxis.objects.filter(programme__live=True).select_related("programme")
    if scope.programme:
        axes = axes.filter(programme=scope.programme)
    axes = axes.annotate(
        n=Count("projects", distinct=True, filter=Q(projects__in=scope.project_ids))
    ).order_by("programme__path", "sort_order")
    rows = [{"programme": a.programme.title, "code": a.code, "axe": a.label, "projets": a.n}
            for a in axes]
    table = Table(
        slug="axes", title=_t("Projects per axis or priority"),
        caption=_t("Number of projects classified under each axis or priority"),
        columns=[*_programme_column(scope), Column("code", _t("Code")),
                 Column("axe", _t("Axis or priority")), Column("projets", _t("Projects"), True)],
        rows=rows,
        note=_t("A project may fall under several axes, or none: the column does not add up "
                "to the number of projects."),
    )
    if rows and scope.programme:
        table.chart = simple_bars(
            [(r["axe"], r["projets"]) for r in rows], chart_id=f"chart-axes-{scope.slug}",
            title=_t("Projects per axis or priority"),
            description=_t("One bar per axis, labelled with its number of projects."))
    return table


def _coverage_rows(scope: Scope, scale: str) -> list[dict]:
    """Projects covering each territory of a scale (`projects_per_territory`).

    The grouped count over the covered communes is the one costly query of the dashboard
    (0.2 s on PostgreSQL, seconds on SQLite), and it only changes when projects are
    published or imported: it is cached under the data version those bump, like the maps.
    """
    key = f"suivi:coverage:{scale}:{scope.slug or '*'}:v{scope.data_version}"
    return cache.get_or_set(key, lambda: _count_coverage(scope, scale))


def _count_coverage(scope: Scope, scale: str) -> list[dict]:
    counts = projects_per_territory(scope.project_ids, scale)
    territories = Territory.objects.filter(pk__in=list(counts)).values("pk", "code", "name")
    rows = [{**t, "projects": counts[t["pk"]].projects, "regional": counts[t["pk"]].regional,
             "communes": counts[t["pk"]].communes} for t in territories]
    return sorted(rows, key=lambda r: (-r["projects"], r["code"]))


def departements_map(scope: Scope):
    """The small choropleth of projects per département (the maps app's cached builder),
    fed with the very counts of the table, so that map and table always agree."""
    from maps.services import render

    return render.explorer_map(
        {"suivi": scope.slug or "tous"}, level="departement",
        title=_t("Projects per département"),
        counts=lambda: {r["pk"]: r["projects"] for r in _coverage_rows(scope, Scale.DEPARTEMENT)},
        markers=lambda: [],
    )


def departements_table(scope: Scope) -> Table:
    rows = [{"code": r["code"], "departement": r["name"], "projets": r["projects"],
             "dont_regionaux": r["regional"], "communes_couvertes": r["communes"]}
            for r in _coverage_rows(scope, Scale.DEPARTEMENT)]
    covered = (ProjectCoverage.objects.filter(project__in=scope.project_ids)
               .values("project").distinct().count())
    total = scope.projects.count()
    note = _t("A project is counted in every département where it covers at least one commune; "
              "region-wide projects count everywhere, so the column does not add up.")
    if total > covered:
        note += " " + ngettext(
            "%(n)s project covers no commune in France (abroad, or territory not given).",
            "%(n)s projects cover no commune in France (abroad, or territory not given).",
            total - covered) % {"n": total - covered}
    table = Table(
        slug="departements", title=_t("Projects per département"),
        caption=_t("Projects covering at least one commune of each département"),
        columns=[Column("code", _t("Code")), Column("departement", _t("Département")),
                 Column("projets", _t("Projects"), True),
                 Column("dont_regionaux", _t("of which region-wide"), True),
                 Column("communes_couvertes", _t("Communes covered"), True)],
        rows=rows, note=note,
    )
    if rows:
        shown = rows[:CHART_ROWS]
        description = _t("One bar per département, labelled with its number of projects "
                         "and how many of them cover the whole region.")
        if len(rows) > len(shown):
            description += " " + _t("The %(n)s départements with the most projects; the table "
                                    "lists all %(total)s.") % {"n": len(shown),
                                                                "total": len(rows)}
        table.chart = bar_chart(
            [BarGroup(f"{r['departement']} ({r['code']})", (Bar(
                r["projets"], ngettext("%(n)s project, of which %(r)s region-wide",
                                       "%(n)s projects, of which %(r)s region-wide",
                                       r["projets"]) % {
                    "n": r["projets"], "r": r["dont_regionaux"]}),)) for r in shown],
            chart_id=f"chart-departements-{scope.slug or 'all'}",
            title=_t("Projects per département"), description=description,
        )
    return table


def epci_table(scope: Scope) -> Table:
    rows = [{"siren": r["code"], "epci": r["name"], "projets": r["projects"],
             "dont_regionaux": r["regional"], "communes_couvertes": r["communes"]}
            for r in _coverage_rows(scope, Scale.EPCI)]
    return Table(
        slug="epci", title=_t("Projects per EPCI"),
        caption=_t("Projects covering at least one commune of each intercommunality (EPCI)"),
        columns=[Column("siren", _t("SIREN")), Column("epci", _t("EPCI")),
                 Column("projets", _t("Projects"), True),
                 Column("dont_regionaux", _t("of which region-wide"), True),
                 Column("communes_couvertes", _t("Communes covered"), True)],
        rows=rows,
        note=_t("Region-wide projects cover every EPCI of the region: see the column "
                "“of which region-wide” for the local ones."),
    )


def _vocabulary_table(scope: Scope, model, slug: str, title: str, caption: str,
                      label: str) -> Table:
    items = (model.objects.annotate(
        n=Count("projects", distinct=True, filter=Q(projects__in=scope.project_ids)))
        .filter(n__gt=0).order_by("-n", "label"))
    rows = [{"code": i.code, "libelle": i.label, "projets": i.n} for i in items]
    table = Table(
        slug=slug, title=title, caption=caption,
        columns=[Column("code", _t("Code")), Column("libelle", label),
                 Column("projets", _t("Projects"), True)],
        rows=rows,
        note=_t("A project may have several: the column does not add up."),
    )
    if rows:
        description = _t("One bar per line of the table below, labelled with its number "
                         "of projects.")
        if len(rows) > CHART_ROWS:
            description += " " + _t("Only the first %(n)s lines are drawn; the table lists "
                                    "all %(total)s.") % {"n": CHART_ROWS, "total": len(rows)}
        table.chart = simple_bars([(r["libelle"], r["projets"]) for r in rows[:CHART_ROWS]],
                                  chart_id=f"chart-{slug}-{scope.slug or 'all'}", title=title,
                                  description=description)
    return table


def publics_table(scope: Scope) -> Table:
    return _vocabulary_table(scope, Public, "publics", _t("Projects per target public"),
                             _t("Number of projects for each target public"), _t("Public"))


def themes_table(scope: Scope) -> Table:
    return _vocabulary_table(scope, Theme, "thematiques", _t("Projects per theme"),
                             _t("Number of projects for each theme"), _t("Theme"))


def indicators_table(scope: Scope) -> Table:
    """Totals of the shared catalogue, by the rules of `indicators.aggregation`."""
    rows = []
    for total in aggregation.programme_totals(scope.programme):
        row = total.as_row()
        rows.append({
            "code": row["code"], "indicateur": row["label"], "unite": row["unit"],
            "total_valide": row["validated_total"], "projets_valides": row["validated_projects"],
            "total_declare": row["declared_total"], "projets_declarants": row["declared_projects"],
            "total_cibles": row["target_total"], "projets_avec_cible": row["target_projects"],
            "chiffres_en_texte": row["text_only_figures"], "regle": row["rule"],
        })
    return Table(
        slug="indicateurs", title=_t("Shared indicators: totals across projects"),
        caption=_t("Output indicators of the shared catalogue, validated and declared figures "
                   "apart"),
        columns=[Column("code", _t("Code")), Column("indicateur", _t("Indicator")),
                 Column("unite", _t("Unit")),
                 Column("total_valide", _t("Validated total"), True),
                 Column("projets_valides", _t("Projects (validated)"), True),
                 Column("total_declare", _t("Declared, not yet validated"), True),
                 Column("projets_declarants", _t("Projects (declared)"), True),
                 Column("total_cibles", _t("Targets"), True),
                 Column("projets_avec_cible", _t("Projects with a target"), True),
                 Column("chiffres_en_texte", _t("Figures in words only"), True),
                 Column("regle", _t("How the total is made"))],
        rows=rows,
        note=_t("Only figures of the same indicator are added; the total counts validated "
                "figures only, declared ones are shown apart; cumulative indicators take each "
                "project's latest figure; percentages are never added; figures given in words "
                "(“about thirty”) are not counted. Each unit stays in its own row."),
    )


def _covered_territory_ids(scope: Scope) -> set[int]:
    """The territories the projects link to, and all that enclose them (a region's poverty
    rate describes its départements' projects too). Two small queries: one join through the
    closure inside an OR makes PostgreSQL's planner take minutes."""
    linked = set(ProjectTerritory.objects.filter(project__in=scope.project_ids)
                 .values_list("territory_id", flat=True))
    enclosing = Territory.ancestors.through.objects.filter(
        from_territory_id__in=linked).values_list("to_territory_id", flat=True)
    return linked | set(enclosing)


def context_table(scope: Scope) -> Table:
    """Context figures (poverty rate, population…) of the territories the projects cover,
    as cited by the projects: one row per distinct figure, never added up."""
    values = IndicatorValue.objects.filter(kind=Kind.CONTEXT)
    if scope.programme is None:
        values = values.filter(Q(project__live=True) | Q(project__isnull=True))
    else:
        values = values.filter(Q(project__in=scope.project_ids) | Q(
            project__isnull=True, territory_id__in=_covered_territory_ids(scope)))
    values = values.select_related("definition", "territory", "project").defer(
        "territory__geometry", "territory__bbox", "project__description").order_by(
        "definition__label", "territory__scale", "territory__name", "period_start", "pk")
    rows: dict[tuple, dict] = {}
    for value in values:
        key = (value.definition_id, value.territory_id, value.period_start, value.period_end,
               value.value, value.value_text if value.value is None else "")
        territory = value.territory
        row = rows.setdefault(key, {
            "indicateur": value.definition.label, "territoire": territory.name if territory
            else "", "echelle": territory.get_scale_display() if territory else "",
            "code_territoire": territory.code if territory else "",
            "valeur": value.value, "unite": value.definition.unit,
            "periode": value.period_label, "texte_source": value.value_text,
            "source": value.source_note, "projets": [],
        })
        if value.project and value.project.title not in row["projets"]:
            row["projets"].append(value.project.title)
    out = [{**r, "projets": " ; ".join(r["projets"])} for r in rows.values()]
    return Table(
        slug="contexte", title=_t("Context indicators of the territories covered"),
        caption=_t("Figures describing the territories, as cited by the projects"),
        columns=[Column("indicateur", _t("Indicator")), Column("territoire", _t("Territory")),
                 Column("echelle", _t("Scale")), Column("code_territoire", _t("Territory code")),
                 Column("valeur", _t("Value"), True), Column("unite", _t("Unit")),
                 Column("periode", _t("Period")),
                 Column("texte_source", _t("As written in the source")),
                 Column("source", _t("Source")), Column("projets", _t("Cited by"))],
        rows=out,
        note=_t("Context figures are never added up: each describes one territory. The same "
                "figure cited by several projects appears once."),
    )


def programmes_table(scope: Scope) -> Table:
    """The all-programmes overview: one row per programme."""
    programmes = ProgrammePage.objects.live().order_by("path").annotate(
        projets=Count("projects_in_programme", distinct=True,
                      filter=Q(projects_in_programme__live=True)),
    )
    calls = {}
    for row in (ProgrammeCall.objects.filter(programme__live=True).values("programme")
                .annotate(envelope=Sum("envelope_eur"), received=Sum("dossiers_received"),
                          retained=Sum("dossiers_retained"))):
        calls[row["programme"]] = row
    rows = []
    for programme in programmes:
        call = calls.get(programme.pk, {})
        rows.append({"programme": programme.title, "slug": programme.slug,
                     "projets": programme.projets, "enveloppes_eur": call.get("envelope"),
                     "dossiers_recus": call.get("received"),
                     "dossiers_retenus": call.get("retained")})
    return Table(
        slug="programmes", title=_t("Programmes"),
        caption=_t("Projects in the portal and published budgets of each programme"),
        columns=[Column("programme", _t("Programme")), Column("slug", _t("Address")),
                 Column("projets", _t("Projects in the portal"), True),
                 Column("enveloppes_eur", _t("Envelopes, all years"), True, "€"),
                 Column("dossiers_recus", _t("Applications received"), True),
                 Column("dossiers_retenus", _t("Applications selected"), True)],
        rows=rows,
        note=_t("Envelopes add the yearly amounts published for each call; empty when none is "
                "published."),
    )


TABLES: dict[str, Callable[[Scope], Table]] = {
    "programmes": programmes_table,
    "appels": calls_table,
    "axes": axes_table,
    "departements": departements_table,
    "epci": epci_table,
    "publics": publics_table,
    "thematiques": themes_table,
    "indicateurs": indicators_table,
    "contexte": context_table,
}
PROGRAMME_TABLES = [name for name in TABLES if name != "programmes"]
OVERVIEW_TABLES = list(TABLES)


def table_names(scope: Scope) -> list[str]:
    return PROGRAMME_TABLES if scope.programme else OVERVIEW_TABLES


def build_table(scope: Scope, name: str) -> Table | None:
    if name not in table_names(scope):
        return None
    return TABLES[name](scope)


@dataclass
class Summary:
    projects: int
    with_budget: int
    budget_eur: Decimal | None
    envelopes_eur: Decimal | None


def summary(scope: Scope) -> Summary:
    figures = scope.projects.aggregate(
        n=Count("pk"), with_budget=Count("budget_eur"), budget=Sum("budget_eur"))
    calls = ProgrammeCall.objects.filter(programme__live=True)
    if scope.programme:
        calls = calls.filter(programme=scope.programme)
    return Summary(projects=figures["n"], with_budget=figures["with_budget"],
                   budget_eur=figures["budget"],
                   envelopes_eur=calls.aggregate(s=Sum("envelope_eur"))["s"])


def dashboard(scope: Scope) -> dict:
    """Everything the dashboard page shows, in a bounded number of queries."""
    return {
        "summary": summary(scope),
        "tables": [TABLES[name](scope) for name in table_names(scope)],
        "figures": list(scope.programme.figures.all()) if scope.programme else [],
    }

