"""Monitoring pages: thin views over `indicators.dashboard` and `indicators.campaign`.

`/suivi/` (every programme) and `/suivi/<programme>/` show the dashboard; each of its tables
downloads as CSV at `/suivi/<table>.csv` and `/suivi/<programme>/<table>.csv` (a stable
address per table that people can bookmark and reuse, rather than a `?format=` switch).
`/suivi/<programme>/<annee>/` is the year's reporting campaign (and its CSV of missing
reports), `/suivi/<programme>/indicateurs/<code>/` the figures behind a total.
Every CSV is in the portal's one dialect (`portal.exports.csv_bytes`: `;`, decimal comma,
byte-order mark).
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from indicators.campaign import campaign, campaign_years, year_is_valid
from indicators.dashboard import (
    Scope,
    build_table,
    dashboard,
    departements_map,
    drill_down,
    table_names,
)
from indicators.models import IndicatorDefinition
from maps.models import Scale, Territory
from portal.exports import csv_bytes
from portal.responses import map_response
from projects.models import ProgrammePage


def _scope(programme: str | None) -> Scope:
    if programme is None:
        return Scope()
    return Scope(get_object_or_404(ProgrammePage.objects.live(), slug=programme))


def _csv_response(filename: str, header: list, body: list) -> HttpResponse:
    response = HttpResponse(csv_bytes(header, body), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def monitoring(request, programme: str | None = None):
    scope = _scope(programme)
    context = dashboard(scope)
    context.update({
        "programme": scope.programme,
        "programmes": ProgrammePage.objects.live().order_by("path"),
        "csv_prefix": f"/suivi/{scope.slug}/" if scope.programme else "/suivi/",
        "years": campaign_years(scope.programme) if scope.programme else [],
    })
    return render(request, "indicators/dashboard.html", context)


def monitoring_csv(request, table: str, programme: str | None = None):
    """One dashboard table as CSV: a header of column keys, then the rows."""
    scope = _scope(programme)
    result = build_table(scope, table)
    if result is None:
        raise Http404(f"unknown table {table!r}; tables: {', '.join(table_names(scope))}")
    header, *body = result.csv_rows()
    return _csv_response(f"suivi-{scope.slug or 'programmes'}-{table}.csv", header, body)


#: Rows of a campaign's « who reported what » table per page.
REPORTS_PER_PAGE = 50


def monitoring_map(request, programme: str | None = None):
    """The map document of projects per département, shown in an iframe by the dashboard."""
    return map_response(request, departements_map(_scope(programme)))


def _campaign(programme: str, year: int):
    scope = _scope(programme)
    if not year_is_valid(year):
        raise Http404(_("No reporting campaign for this year."))
    return scope, campaign(scope.programme, year)


def campaign_page(request, programme: str, year: int):
    """/suivi/<programme>/<annee>/: who reported which indicators for the year, who did
    not, what waits for validation."""
    scope, result = _campaign(programme, year)
    # The counts and totals cover every project; the table shows them a page at a time (a
    # national programme has a thousand projects: a 400 kB page, seconds to render).
    page_obj = Paginator(result.reports, REPORTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "indicators/campaign.html", {
        "programme": scope.programme, "campaign": result, "year": year,
        "years": campaign_years(scope.programme), "page_obj": page_obj,
        "page_range": list(page_obj.paginator.get_elided_page_range(
            page_obj.number, on_each_side=2, on_ends=1)),
    })


def campaign_missing_csv(request, programme: str, year: int):
    """/suivi/<programme>/<annee>/manquants.csv: the reports to chase, one per project and
    indicator."""
    scope, result = _campaign(programme, year)
    keys = ["annee", "projet", "slug", "porteur", "code_indicateur", "indicateur", "manque"]
    rows = [[row[k] for k in keys] for row in result.missing_rows()]
    return _csv_response(f"suivi-{scope.slug}-{year}-manquants.csv", keys, rows)


def indicator_page(request, programme: str, code: str):
    """/suivi/<programme>/indicateurs/<code>/?annee=&departement=: the figures a total adds,
    whether each is counted, and why not."""
    scope = _scope(programme)
    definition = get_object_or_404(IndicatorDefinition, code=code)
    year = request.GET.get("annee") or None
    if year is not None:
        if not year.isdigit() or not year_is_valid(int(year)):
            return HttpResponseBadRequest(_("The year must be a year, such as 2025."))
        year = int(year)
    territory = None
    if code_dep := request.GET.get("departement"):
        territory = Territory.objects.filter(scale=Scale.DEPARTEMENT, code=code_dep[:5]).defer(
            "geometry", "bbox").first()
        if territory is None:
            return HttpResponseBadRequest(_("Unknown département code."))
    return render(request, "indicators/indicator.html", {
        "programme": scope.programme,
        "detail": drill_down(scope.programme, definition, year, territory),
        "years": campaign_years(scope.programme),
    })
