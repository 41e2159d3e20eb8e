"""Monitoring pages: thin views over `indicators.dashboard`.

`/suivi/` (every programme) and `/suivi/<programme>/` show the dashboard; each of its tables
downloads as CSV at `/suivi/<table>.csv` and `/suivi/<programme>/<table>.csv` (a stable
address per table that people can bookmark and reuse, rather than a `?format=` switch).
"""

from __future__ import annotations

import csv

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render

from indicators.dashboard import Scope, build_table, dashboard, departements_map, table_names
from portal import spreadsheets
from portal.responses import map_response
from projects.models import ProgrammePage


def _scope(programme: str | None) -> Scope:
    if programme is None:
        return Scope()
    return Scope(get_object_or_404(ProgrammePage.objects.live(), slug=programme))


def monitoring(request, programme: str | None = None):
    scope = _scope(programme)
    context = dashboard(scope)
    context.update({
        "programme": scope.programme,
        "programmes": ProgrammePage.objects.live().order_by("path"),
        "csv_prefix": f"/suivi/{scope.slug}/" if scope.programme else "/suivi/",
    })
    return render(request, "indicators/dashboard.html", context)


def monitoring_csv(request, table: str, programme: str | None = None):
    """One dashboard table as CSV: UTF-8 with a byte-order mark (so that spreadsheet software
    reads the accents), comma-separated, a header of column keys, plain numbers."""
    scope = _scope(programme)
    result = build_table(scope, table)
    if result is None:
        raise Http404(f"unknown table {table!r}; tables: {', '.join(table_names(scope))}")
    filename = f"suivi-{scope.slug or 'programmes'}-{table}.csv"
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")
    csv.writer(response).writerows(spreadsheets.csv_row(r) for r in result.csv_rows())
    return response


def monitoring_map(request, programme: str | None = None):
    """The map document of projects per département, shown in an iframe by the dashboard."""
    return map_response(request, departements_map(_scope(programme)))
