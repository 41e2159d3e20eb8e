"""Monitoring dashboards: the figures of one programme (or of all), as tables.

Each table is built by one function from a `Scope` (a programme or all, and its live
projects) in one or two queries; the page shows it (with a chart where a picture reads
better) and `/suivi/[<programme>/]<table>.csv` serves the very same rows, so the chart, the
table and the download can never disagree.

Projects per département and EPCI are counted from the precomputed covered communes
(`ProjectCoverage`) and each commune's *direct* parents (`Territory.parents`), not from the
projects' territory links: a link to a region or a custom area says nothing about the
départements inside it, while the covered communes do. The full ancestor closure
(`Territory.ancestors`) is not used here because it passes through EPCIs, and an EPCI that
straddles two départements makes each of its communes look as if it lay in both (Allenay,
Somme, would count for Seine-Maritime through the CC des Villes Sœurs).

Nothing costly is computed per request: projects per territory and indicator totals are read
from the small tables `indicators.precomputed` keeps up to date at every publish and import.
Long tables list the home region's territories first (its five départements, its EPCI), each
part sorted by number of projects.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Sum
from django.utils.functional import cached_property
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from indicators import aggregation
from indicators.charts import Bar, BarGroup, bar_chart, format_number, separators, simple_bars
from indicators.models import (
    CoverageAggregate,
    IndicatorAggregate,
    IndicatorValue,
    Kind,
    ProjectArea,
)
from maps.models import Scale, Territory, home_region_code
from projects.coverage import Perimeter, scope_q
from projects.models import (
    ProgrammeAxis,
    ProgrammeCall,
    ProgrammePage,
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
        """The region's projects only: the national examples of the 1000 premiers jours
        document are not monitored here (DESIGN.md §1, "Scope"; `examples`)."""
        queryset = ProjectPage.objects.live().filter(scope_q())
        if self.programme is not None:
            queryset = queryset.filter(programme=self.programme)
        return queryset

    @cached_property
    def examples(self) -> int:
        """How many examples elsewhere in France the scope leaves out."""
        queryset = ProjectPage.objects.live().filter(scope_q(Perimeter.ELSEWHERE))
        if self.programme is not None:
            queryset = queryset.filter(programme=self.programme)
        return queryset.count()

    @cached_property
    def calls(self) -> list[ProgrammeCall]:
        """The calls of the live programmes in scope, in year order, with the number of the
        region's projects of each call year: read once for the calls table and the headline
        envelopes."""
        calls = ProgrammeCall.objects.filter(programme__live=True).select_related("programme")
        if self.programme:
            calls = calls.filter(programme=self.programme)
        calls = calls.annotate(
            portal_projects=Count("programme__projects_in_programme", distinct=True, filter=Q(
                programme__projects_in_programme__live=True,
                programme__projects_in_programme__in_home_region=True,
                programme__projects_in_programme__call_year=F("year"),
            )),
            dated_projects=Count("programme__projects_in_programme", distinct=True, filter=Q(
                programme__projects_in_programme__live=True,
                programme__projects_in_programme__in_home_region=True,
                programme__projects_in_programme__call_year__isnull=False,
            )),
        ).order_by(F("year").asc(nulls_last=True), "programme__path", "sort_order")
        return list(calls)

    @property
    def project_ids(self) -> QuerySet:
        """A subquery, never a list: the dashboards stay one query per table."""
        return self.projects.values("pk")

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

    #: Rows shown before the rest folds away ("voir les N lignes").
    SHOWN_ROWS = 10

    @cached_property
    def display_rows(self) -> list[list[dict]]:
        """Cells ready for the template: text, whether it is a number (right-aligned) and
        the address of the values it counts (`_links` of the row, per column key)."""
        table = separators()
        return [
            [{"text": format_number(row.get(c.key), c.unit, table) if c.numeric
              else (row.get(c.key) or ""), "numeric": c.numeric,
              "href": (row.get("_links") or {}).get(c.key)} for c in self.columns]
            for row in self.rows
        ]

    @property
    def first_rows(self) -> list[list[dict]]:
        return self.display_rows[: self.SHOWN_ROWS] if self.folds else self.display_rows

    @property
    def more_rows(self) -> list[list[dict]]:
        return self.display_rows[self.SHOWN_ROWS:] if self.folds else []

    @property
    def first_rows_html(self) -> SafeString:
        return rows_html(self.first_rows)

    @property
    def more_rows_html(self) -> SafeString:
        return rows_html(self.more_rows)

    @property
    def folds(self) -> bool:
        """Long tables show their first rows; the others open on demand."""
        return len(self.rows) > self.SHOWN_ROWS + 5

    def csv_rows(self) -> list[list]:
        """Header of column keys, then raw values (numbers as `Decimal`/`int`: the CSV writer
        of the portal formats them)."""
        out: list[list] = [[c.key for c in self.columns]]
        for row in self.rows:
            out.append([_raw(row.get(c.key)) for c in self.columns])
        return out


def rows_html(rows: list[list[dict]]) -> SafeString:
    """The `<tr>` of a table body. Built here rather than with template tags: a long table
    has thousands of cells, and tags per cell made the page render several times slower."""
    out = []
    for row in rows:
        cells = []
        for index, cell in enumerate(row):
            text = escape(cell["text"])
            if cell["href"] and text:
                text = f'<a href="{escape(cell["href"])}">{text}</a>'
            if index == 0:
                cells.append(f'<th scope="row">{text}</th>')
            elif cell["numeric"]:
                cells.append(f'<td class="fr-cell--right">{text}</td>')
            else:
                cells.append(f"<td>{text}</td>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    return mark_safe("\n".join(out))  # noqa: S308 (every text and address escaped above)


def _raw(value):
    if value is None:
        return ""
    return value


def _programme_column(scope: Scope) -> list[Column]:
    return [] if scope.programme else [Column("programme", _("Programme"))]


# --- tables ---------------------------------------------------------------------------


def _year_text(year) -> str:
    return str(year) if year else _("year not given")


def calls_table(scope: Scope) -> Table:
    """Calls for projects and their envelopes, as the programme publishes them: the latest
    amount of each envelope and, when it changed, where it started; with the number of
    projects of that year present in the portal. Never a total across programmes or years."""
    calls = scope.calls
    rows = [{
        "programme": call.programme.title, "annee": _year_text(call.year),
        "libelle": call.label,
        "enveloppe_eur": call.envelope_eur, "enveloppe_initiale_eur": call.initial_envelope_eur,
        "historique_enveloppe": call.envelope_history,
        "sollicite_eur": call.requested_eur,
        "dossiers_recus": call.dossiers_received, "dossiers_retenus": call.dossiers_retained,
        "projets_dans_le_portail": call.portal_projects if call.dated_projects else None,
        "texte_source": call.text,
        "_short": call.programme.label, "_year": call.year,
    } for call in calls]
    table = Table(
        slug="appels", title=_("Calls for projects and budgets by year"),
        caption=_("Envelope (latest amount, and where it started when it changed), amount "
                   "requested and applications, by call, as published"),
        columns=[*_programme_column(scope), Column("annee", _("Year")),
                 Column("libelle", _("Call")),
                 Column("enveloppe_eur", _("Envelope (latest amount)"), True, "€"),
                 Column("historique_enveloppe", _("History of the envelope")),
                 Column("enveloppe_initiale_eur", _("Envelope at launch"), True, "€"),
                 Column("sollicite_eur", _("Amount requested"), True, "€"),
                 Column("dossiers_recus", _("Applications received"), True),
                 Column("dossiers_retenus", _("Applications selected"), True),
                 Column("projets_dans_le_portail", _("Projects of that year in the portal"),
                        True),
                 Column("texte_source", _("As written in the source"))],
        rows=rows,
        note=_("Empty cells: the figure is not published. Each envelope belongs to one call "
                "of one year: they are not added up. Projects of that year are those whose "
                "call year is known (empty when no project of the programme gives it); the "
                "portal may not list every funded project."),
    )

    def bar_label(row):
        when = str(row["_year"]) if row["_year"] else row["libelle"]
        return when if scope.programme else f"{row['_short']} {when}"

    with_envelope = [r for r in rows if r["enveloppe_eur"] is not None]
    if with_envelope:
        table.charts.append(bar_chart(
            [BarGroup(bar_label(r), (Bar(r["enveloppe_eur"]),)) for r in with_envelope],
            chart_id=f"chart-envelope-{scope.slug or 'all'}", unit="€",
            title=_("Envelope by year (€)"),
            description=_("Horizontal bars, one per call, with its latest envelope; the "
                           "value is written after each bar. The table below gives the same "
                           "figures and the history of each envelope."),
        ))
    with_dossiers = [r for r in rows if r["dossiers_recus"] is not None
                     or r["dossiers_retenus"] is not None]
    if with_dossiers:
        table.charts.append(bar_chart(
            [BarGroup(bar_label(r), (
                Bar(r["dossiers_recus"], _dossier_text(r["dossiers_recus"], "received"), 0),
                Bar(r["dossiers_retenus"], _dossier_text(r["dossiers_retenus"], "selected"),
                    1),
            )) for r in with_dossiers],
            chart_id=f"chart-dossiers-{scope.slug or 'all'}",
            legend=(_("Applications received"), _("Applications selected")),
            title=_("Applications received and selected by year"),
            description=_("Two bars per year: applications received, then selected; each "
                           "bar is labelled with its number and its series."),
        ))
    return table


def _dossier_text(value, series: str) -> str:
    """« 97 reçus », « 17 retenus », « reçus : — » (the number agrees with its word)."""
    if value is None:
        return (_("received: —") if series == "received" else _("selected: —"))
    if series == "received":
        text = ngettext("%(n)s received", "%(n)s received", value)
    else:
        text = ngettext("%(n)s selected", "%(n)s selected", value)
    return text % {"n": format_number(value)}


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
        slug="axes", title=_("Projects per axis or priority"),
        caption=_("Number of projects classified under each axis or priority"),
        columns=[*_programme_column(scope), Column("code", _("Code")),
                 Column("axe", _("Axis or priority")), Column("projets", _("Projects"), True)],
        rows=rows,
        note=_("A project may fall under several axes, or none: the column does not add up "
                "to the number of projects."),
    )
    if rows and scope.programme:
        table.chart = simple_bars(
            [(r["axe"], r["projets"]) for r in rows], chart_id=f"chart-axes-{scope.slug}",
            title=_("Projects per axis or priority"),
            description=_("One bar per axis, labelled with its number of projects."))
    return table


def _listing_url(scope: Scope, code: str) -> str:
    query = f"?territoire={code}"
    if scope.programme:
        query += f"&programme={scope.programme.slug}"
    return f"/projets/{query}"


def _coverage_rows(scope: Scope, scale: str) -> list[dict]:
    """Projects covering each territory of a scale, read from the precomputed counts (see
    the module docstring for how they are counted); the home region's territories first,
    then the others, each part by number of projects. One query."""
    home = Territory.ancestors.through.objects.filter(
        from_territory_id=OuterRef("territory_id"), to_territory__scale=Scale.REGION,
        to_territory__code=home_region_code())
    rows = (CoverageAggregate.objects.filter(programme=scope.programme, scale=scale)
            .annotate(home=Exists(home))
            .values("territory_id", "territory__code", "territory__name", "projects",
                    "regional_projects", "communes", "home"))
    out = [{"pk": r["territory_id"], "code": r["territory__code"], "name": r["territory__name"],
            "projects": r["projects"], "regional": r["regional_projects"],
            "communes": r["communes"], "home": r["home"]} for r in rows]
    return sorted(out, key=lambda r: (not r["home"], -r["projects"], r["code"]))


def departements_map(scope: Scope):
    """The small choropleth of projects per département (the maps app's cached builder),
    fed with the very counts of the table, so that map and table always agree."""
    from maps.services import render

    return render.explorer_map(
        {"suivi": scope.slug or "tous"}, level="departement",
        title=_("Projects per département"),
        counts=lambda: {r["pk"]: r["projects"] for r in _coverage_rows(scope, Scale.DEPARTEMENT)},
        markers=lambda: [],
    )


def projects_text(projects: int, regional: int) -> str:
    """« 6 projets dont 1 régional », « 1 projet », « 3 projets dont 3 régionaux »."""
    text = ngettext("%(n)s project", "%(n)s projects", projects) % {"n": projects}
    if regional:
        text += " " + ngettext("of which %(r)s region-wide", "of which %(r)s region-wide",
                               regional) % {"r": regional}
    return text


def departements_table(scope: Scope) -> Table:
    rows = [{"code": r["code"], "departement": r["name"], "projets": r["projects"],
             "dont_regionaux": r["regional"], "communes_couvertes": r["communes"],
             "_links": {"projets": _listing_url(scope, r["code"])}}
            for r in _coverage_rows(scope, Scale.DEPARTEMENT)]
    note = _("A project is counted in every département where it covers at least one commune; "
              "region-wide projects count everywhere, so the column does not add up. The "
              "region's départements come first.")
    # The precomputed areas, not the covered communes: a few rows per project.
    covered = (ProjectArea.objects.filter(project__in=scope.project_ids)
               .values("project").distinct().count())
    total = scope.projects.count()
    if total > covered:
        note += " " + ngettext(
            "%(n)s project covers no commune in France (abroad, or territory not given).",
            "%(n)s projects cover no commune in France (abroad, or territory not given).",
            total - covered) % {"n": total - covered}
    table = Table(
        slug="departements", title=_("Projects per département"),
        caption=_("Projects covering at least one commune of each département"),
        columns=[Column("code", _("Code")), Column("departement", _("Département")),
                 Column("projets", _("Projects"), True),
                 Column("dont_regionaux", _("of which region-wide"), True),
                 Column("communes_couvertes", _("Communes covered"), True)],
        rows=rows, note=note,
    )
    if rows:
        shown = rows[:CHART_ROWS]
        description = _("One bar per département, labelled with its number of projects "
                         "and how many of them cover the whole region.")
        if len(rows) > len(shown):
            description += " " + _("The first %(n)s départements of the table; the table "
                                    "lists all %(total)s.") % {"n": len(shown),
                                                               "total": len(rows)}
        table.chart = bar_chart(
            [BarGroup(f"{r['departement']} ({r['code']})", (Bar(
                r["projets"], projects_text(r["projets"], r["dont_regionaux"])),))
             for r in shown],
            chart_id=f"chart-departements-{scope.slug or 'all'}",
            title=_("Projects per département"), description=description,
        )
    return table


def epci_table(scope: Scope) -> Table:
    rows = [{"siren": r["code"], "epci": r["name"], "projets": r["projects"],
             "dont_regionaux": r["regional"], "communes_couvertes": r["communes"],
             "_links": {"projets": _listing_url(scope, r["code"])}}
            for r in _coverage_rows(scope, Scale.EPCI)]
    return Table(
        slug="epci", title=_("Projects per EPCI"),
        caption=_("Projects covering at least one commune of each intercommunality (EPCI)"),
        columns=[Column("siren", _("SIREN")), Column("epci", _("EPCI")),
                 Column("projets", _("Projects"), True),
                 Column("dont_regionaux", _("of which region-wide"), True),
                 Column("communes_couvertes", _("Communes covered"), True)],
        rows=rows,
        note=_("Region-wide projects cover every EPCI of the region: see the column "
                "“of which region-wide” for the local ones. The region's EPCI come first."),
    )


def _vocabulary_table(scope: Scope, model, slug: str, title: str, caption: str,
                      label: str) -> Table:
    items = (model.objects.annotate(
        n=Count("projects", distinct=True, filter=Q(projects__in=scope.project_ids)))
        .filter(n__gt=0).order_by("-n", "label"))
    rows = [{"code": i.code, "libelle": i.label, "projets": i.n} for i in items]
    table = Table(
        slug=slug, title=title, caption=caption,
        columns=[Column("code", _("Code")), Column("libelle", label),
                 Column("projets", _("Projects"), True)],
        rows=rows,
        note=_("A project may have several: the column does not add up."),
    )
    if rows:
        description = _("One bar per line of the table below, labelled with its number "
                         "of projects.")
        if len(rows) > CHART_ROWS:
            description += " " + _("Only the first %(n)s lines are drawn; the table lists "
                                    "all %(total)s.") % {"n": CHART_ROWS, "total": len(rows)}
        table.chart = simple_bars([(r["libelle"], r["projets"]) for r in rows[:CHART_ROWS]],
                                  chart_id=f"chart-{slug}-{scope.slug or 'all'}", title=title,
                                  description=description)
    return table


def publics_table(scope: Scope) -> Table:
    return _vocabulary_table(scope, Public, "publics", _("Projects per target public"),
                             _("Number of projects for each target public"), _("Public"))


def themes_table(scope: Scope) -> Table:
    return _vocabulary_table(scope, Theme, "thematiques", _("Projects per theme"),
                             _("Number of projects for each theme"), _("Theme"))


def indicator_url(programme_slug: str, code: str, year: int | None = None) -> str:
    """The drill-down page listing the figures a total adds."""
    url = f"/suivi/{programme_slug}/indicateurs/{code}/"
    return f"{url}?annee={year}" if year else url


def indicators_table(scope: Scope) -> Table:
    """Totals of the shared catalogue, by the rules of `indicators.aggregation`, read from
    the precomputed totals (every period, every territory): one row per programme and
    indicator, never a total across programmes."""
    rows = []
    aggregates = (IndicatorAggregate.objects
                  .filter(year__isnull=True, territory__isnull=True, definition__is_shared=True,
                          programme__live=True)
                  .select_related("definition", "programme")
                  .only("definition__code", "definition__label", "definition__unit",
                        "definition__measure", "definition__aggregation", "programme__title",
                        "programme__slug", "validated_value", "validated_projects",
                        "declared_value", "declared_projects", "target_value",
                        "target_projects", "text_only")
                  .order_by("programme__path", "definition__label"))
    if scope.programme:
        aggregates = aggregates.filter(programme=scope.programme)
    for row in aggregates:
        definition = row.definition
        total = aggregation.Total(code=definition.code, label=definition.label,
                                  unit=definition.unit, measure=definition.measure,
                                  aggregation=definition.aggregation)
        href = indicator_url(row.programme.slug, definition.code)
        rows.append({
            "programme": row.programme.title,
            "code": definition.code, "indicateur": definition.label, "unite": definition.unit,
            "total_valide": row.validated_value, "projets_valides": row.validated_projects,
            "total_declare": row.declared_value, "projets_declarants": row.declared_projects,
            "total_cibles": row.target_value, "projets_avec_cible": row.target_projects,
            "chiffres_en_texte": row.text_only, "regle": total.rule,
            "_links": {"indicateur": href, "total_valide": href, "total_declare": href},
        })
    return Table(
        slug="indicateurs", title=_("Shared indicators: totals across projects"),
        caption=_("Output indicators of the shared catalogue, validated and declared figures "
                   "side by side, with the number of projects behind each"),
        columns=[*_programme_column(scope), Column("code", _("Code")),
                 Column("indicateur", _("Indicator")), Column("unite", _("Unit")),
                 Column("total_valide", _("Validated total"), True),
                 Column("projets_valides", _("Projects (validated)"), True),
                 Column("total_declare", _("Declared, not yet validated"), True),
                 Column("projets_declarants", _("Projects (declared)"), True),
                 Column("total_cibles", _("Targets"), True),
                 Column("projets_avec_cible", _("Projects with a target"), True),
                 Column("chiffres_en_texte", _("Figures in words only"), True),
                 Column("regle", _("How the total is made"))],
        rows=rows,
        note=_("Only figures of the same indicator and programme are added; validated and "
                "declared figures are totalled apart; cumulative indicators take each "
                "project's latest figure; percentages are never added; figures given in "
                "words (“about thirty”) are not counted. Each total links to the figures it "
                "adds."),
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
        slug="contexte", title=_("Context indicators of the territories covered"),
        caption=_("Figures describing the territories, as cited by the projects"),
        columns=[Column("indicateur", _("Indicator")), Column("territoire", _("Territory")),
                 Column("echelle", _("Scale")), Column("code_territoire", _("Territory code")),
                 Column("valeur", _("Value"), True), Column("unite", _("Unit")),
                 Column("periode", _("Period")),
                 Column("texte_source", _("As written in the source")),
                 Column("source", _("Source")), Column("projets", _("Cited by"))],
        rows=out,
        note=_("Context figures are never added up: each describes one territory. The same "
                "figure cited by several projects appears once."),
    )


def programmes_table(scope: Scope) -> Table:
    """The all-programmes overview: one row per programme, its envelopes call by call (never
    added across programmes)."""
    programmes = ProgrammePage.objects.live().order_by("path").annotate(
        projets=Count("projects_in_programme", distinct=True,
                      filter=Q(projects_in_programme__live=True,
                               projects_in_programme__in_home_region=True)),
    )
    calls: dict[int, list] = {}
    for call in (ProgrammeCall.objects.filter(programme__live=True)
                 .order_by(F("year").asc(nulls_last=True), "sort_order")):
        calls.setdefault(call.programme_id, []).append(call)
    rows = []
    for programme in programmes:
        own = calls.get(programme.pk, [])
        envelopes = [c for c in own if c.envelope_eur is not None]
        rows.append({
            "programme": programme.title, "slug": programme.slug,
            "projets": programme.projets,
            "enveloppes": " ; ".join(
                f"{_year_text(c.year)} : {format_number(c.envelope_eur, '€')}"
                + (f" ({c.envelope_history})" if c.envelope_history else "")
                for c in envelopes),
            "dossiers_recus": sum(c.dossiers_received for c in own
                                  if c.dossiers_received is not None)
            if any(c.dossiers_received is not None for c in own) else None,
            "dossiers_retenus": sum(c.dossiers_retained for c in own
                                    if c.dossiers_retained is not None)
            if any(c.dossiers_retained is not None for c in own) else None,
            "_links": {"programme": f"/suivi/{programme.slug}/"},
        })
    return Table(
        slug="programmes", title=_("Programmes"),
        caption=_("Projects in the portal and published envelopes of each programme"),
        columns=[Column("programme", _("Programme")), Column("slug", _("Address")),
                 Column("projets", _("Projects in the portal"), True),
                 Column("enveloppes", _("Envelopes by call (latest amount)")),
                 Column("dossiers_recus", _("Applications received, calls that give it"),
                        True),
                 Column("dossiers_retenus", _("Applications selected, calls that give it"),
                        True)],
        rows=rows,
        note=_("Envelopes are listed call by call: programmes and years are never added "
                "together. Empty when none is published."),
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
class Envelope:
    label: str
    amount: Decimal
    history: str


@dataclass
class Summary:
    projects: int
    regional: int
    with_budget: int
    budget_eur: Decimal | None
    envelopes: list[Envelope] = field(default_factory=list)
    envelopes_total: Decimal | None = None
    envelope_years: str = ""


def summary(scope: Scope) -> Summary:
    """The headline figures. Envelopes only for one programme (never added across
    programmes); their sum only when there are several yearly ones, and said so."""
    figures = scope.projects.aggregate(
        n=Count("pk"), with_budget=Count("budget_eur"), budget=Sum("budget_eur"),
        regional=Count("pk", filter=Q(broadest_scale=Scale.REGION)))
    result = Summary(projects=figures["n"], regional=figures["regional"],
                     with_budget=figures["with_budget"], budget_eur=figures["budget"])
    if scope.programme:
        calls = [c for c in scope.calls if c.envelope_eur is not None]
        result.envelopes = [Envelope(label=str(c.year) if c.year else c.label,
                                     amount=c.envelope_eur, history=c.envelope_history)
                            for c in calls]
        years = [c.year for c in calls if c.year]
        if len(calls) > 1 and len(years) == len(calls):
            result.envelopes_total = sum(c.envelope_eur for c in calls)
            result.envelope_years = f"{min(years)}–{max(years)}"
    return result


def dashboard(scope: Scope) -> dict:
    """Everything the dashboard page shows, in a bounded number of queries."""
    return {
        "summary": summary(scope),
        "tables": [TABLES[name](scope) for name in table_names(scope)],
        "figures": list(scope.programme.figures.all()) if scope.programme else [],
    }


@dataclass
class DrillDown:
    """The figures behind one total: every figure of an indicator in a programme (a year,
    a département), whether the total counts it, and the total itself."""

    programme: ProgrammePage
    definition: object
    year: int | None
    territory: Territory | None
    total: aggregation.Total | None
    rows: list[dict]


def drill_down(programme, definition, year: int | None = None,
               territory: Territory | None = None) -> DrillDown:
    """Two queries: the figures, and the projects' titles and addresses."""
    values = (IndicatorValue.objects
              .filter(project__live=True, project__programme=programme, definition=definition)
              .exclude(kind=Kind.CONTEXT))
    if territory is not None:
        values = values.filter(project__monitoring_areas__territory=territory)
    items = [f for f in aggregation.figures(values.order_by("project_id", "period_start", "pk"))
             if year is None or f.year == year]
    total = aggregation.aggregate(items) if items else None
    counted = (total.validated.counted | total.declared.counted) if total else frozenset()
    projects = {p.pk: p for p in ProjectPage.objects.filter(
        pk__in={f.project_id for f in items}).only("pk", "title", "url_path", "slug")}
    rows = []
    for figure in items:
        rows.append({"project": projects.get(figure.project_id), "figure": figure,
                     "in_total": _in_total(figure, total, counted)})
    rows.sort(key=lambda r: (r["project"].title if r["project"] else "", r["figure"].start))
    return DrillDown(programme=programme, definition=definition, year=year,
                     territory=territory, total=total, rows=rows)


def _in_total(figure, total, counted) -> str:
    """Why a figure is, or is not, in the total: in words, for the drill-down table."""
    if total is None or not total.is_aggregable:
        return _("never added up")
    if figure.kind not in aggregation.ACTUAL_KINDS or figure.value is None:
        return _("no value (target or words only)")
    if figure.id in counted:
        return _("counted")
    if total.measure == "percent" and not (figure.numerator is not None and figure.denominator):
        return _("not pooled: every figure needs its numerator and denominator")
    if total.aggregation == "latest":
        return _("set aside: only the latest figure of each project counts")
    return _("set aside: its period overlaps a counted figure of the project")
