"""Read-only JSON API (/api/), documented at /api/ itself. Plain Django views: the same
FilterSet as the listing, the same records as the exports, so the three never disagree.

Invalid parameters are reported under "errors" and ignored (an unknown territory empties the
result, as on the listing); they never cause a server error.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from maps.models import Territory
from portal import exports
from portal.listing import MAX_PAGE_SIZE, PAGE_SIZE, level_groups, listing_queryset, page_size
from portal.territory_page import ancestors_of, children_summary, with_context_figures
from projects.filters import SORT_CHOICES, ProjectFilter
from projects.models import ProjectPage
from projects.territory import is_broad, level_label, resolve_territory, territory_key

FILTER_PARAMS = [
    ("q", _("Full-text search in French (accents and plurals ignored on PostgreSQL).")),
    ("programme", _("Programme slug: 1000-premiers-jours, sante-des-femmes-bassin-minier, faad.")),
    ("territoire", _("Commune INSEE code, EPCI SIREN, département or region code, "
                     "“scale-code” (region-32, commune-59491) or a name. Returns what covers "
                     "the territory and what lies inside it.")),
    ("public", _("Public code; repeat the parameter for several (any of them).")),
    ("thematique", _("Theme code; repeat the parameter for several (any of them).")),
    ("axe", _("Axis: “programme-slug:axis-code”.")),
    ("statut", _("en-cours, a-venir, termine or inconnu.")),
    ("annee", _("Year of the call or of activity.")),
    ("porteur", _("Key of the carrier organisation.")),
    ("tri", _("Sort order: %(choices)s.") % {"choices": ", ".join(c for c, _l in SORT_CHOICES)}),
    ("page", _("Page number (1 by default).")),
    ("par_page", _("Results per page, %(default)s by default, at most %(max)s.")
     % {"default": PAGE_SIZE, "max": MAX_PAGE_SIZE}),
]


def json_response(data, status: int = 200) -> HttpResponse:
    response = HttpResponse(exports.dumps(data), status=status,
                            content_type="application/json; charset=utf-8")
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _absolute(request, path: str) -> str:
    return request.build_absolute_uri(path)


@require_safe
def api_index(request):
    return json_response({
        "name": str(_("Regional portal of funded projects — read-only API")),
        "licence": "Licence Ouverte / Open Licence 2.0",
        "format": str(_("JSON, UTF-8. Dates in ISO 8601, amounts in euros.")),
        "endpoints": [
            {"path": "/api/projets/", "url": _absolute(request, "/api/projets/"),
             "description": str(_("Published projects, filtered and paginated like /projets/.")),
             "params": {name: str(text) for name, text in FILTER_PARAMS}},
            {"path": "/api/projets/<id>/", "url": _absolute(request, "/api/projets/1/"),
             "description": str(_("One project with every field: actions, objectives, events, "
                                  "published contacts, resources, key figures."))},
            {"path": "/api/territoires/<code>/",
             "url": _absolute(request, "/api/territoires/commune-59491/"),
             "description": str(_("A territory: its enclosing territories, what it contains, "
                                  "its context figures and how many projects cover it at each "
                                  "level; the projects themselves at /api/projets/"
                                  "?territoire=<code>."))},
            {"path": "/projets/export.csv | .xlsx | .geojson",
             "url": _absolute(request, "/projets/export.csv"),
             "description": str(_("The same filtered set as a spreadsheet or a GeoJSON layer. "
                                  "CSV: UTF-8 with a byte-order mark, semicolon separator, "
                                  "decimal comma, ISO dates, several values in a cell "
                                  "separated by “ | ” (what Excel expects in French). "
                                  "GeoJSON: one point per project (its first place, else the "
                                  "centroid of its most local territory)."))},
        ],
    })


def _territory_data(territory: Territory) -> dict:
    return {"key": territory_key(territory), "scale": territory.scale, "code": territory.code,
            "name": territory.name}


@require_safe
def api_projects(request):
    project_filter = ProjectFilter(request.GET or None, queryset=listing_queryset(),
                                   request=request)
    per_page = page_size(request.GET.get("par_page", PAGE_SIZE))
    territory = project_filter.territory
    with_level = project_filter.scope is not None
    rows = list(project_filter.qs.values_list("pk", "level") if with_level
                else project_filter.qs.values_list("pk"))
    paginator = Paginator(rows, per_page)
    page = paginator.get_page(request.GET.get("page"))
    ids = [row[0] for row in page.object_list]
    results = exports.records(ProjectPage.objects.filter(pk__in=ids), request, order=ids)
    if with_level:
        levels = dict(page.object_list)
        for record in results:
            record["level"] = levels[record["id"]]
            record["level_label"] = str(level_label(record["level"]))
            record["broad"] = is_broad(record["level"], territory)

    def page_url(number):
        params = request.GET.copy()
        params["page"] = number
        return _absolute(request, f"{request.path}?{params.urlencode()}")

    resolution = project_filter.resolution
    return json_response({
        "count": paginator.count,
        "page": page.number,
        "pages": paginator.num_pages,
        "per_page": per_page,
        "next": page_url(page.next_page_number()) if page.has_next() else None,
        "previous": page_url(page.previous_page_number()) if page.has_previous() else None,
        "sort": project_filter.sort,
        "territory": _territory_data(territory) if territory else None,
        "territory_alternatives": [_territory_data(t) for t in resolution.alternatives]
        if resolution else [],
        "errors": {name: [str(e) for e in errors]
                   for name, errors in project_filter.form.errors.items()}
        if project_filter.is_bound else {},
        "results": results,
    })


@require_safe
def api_project(request, pk: int):
    found = exports.records(ProjectPage.objects.live().filter(pk=pk), request)
    if not found:
        return json_response({"error": str(_("No published project has this id."))}, 404)
    record = found[0]
    project = ProjectPage.objects.live().get(pk=pk)
    record.update({
        "description_html": project.description,
        "actions": list(project.actions.values_list("text", flat=True)),
        "objectives": list(project.objectives.values_list("text", flat=True)),
        "events": list(project.events.values("title", "date", "start_time", "end_time",
                                              "place", "description")),
        "resources": list(project.resources.values("kind", "title", "url")),
        "testimonials": list(project.testimonials.values("quote", "author")),
    })
    return json_response(record)


@require_safe
def api_territory(request, code: str):
    resolution = resolve_territory(code)
    if resolution.territory is None:
        return json_response({"error": str(_("Unknown territory."))}, 404)
    territory = with_context_figures(resolution.territory)
    project_filter = ProjectFilter(None, queryset=listing_queryset(), territory=territory)
    key = territory_key(territory)
    return json_response({
        **_territory_data(territory),
        "population": territory.population,
        "centroid": [territory.centroid_lon, territory.centroid_lat]
        if territory.has_point else None,
        "bbox": territory.bbox,
        "page_url": _absolute(request, f"/territoires/{key}/"),
        "ancestors": [_territory_data(t) for t in ancestors_of(territory)],
        "contains": {row["scale"]: row["count"] for row in children_summary(territory)},
        "projects_count": project_filter.qs.count(),
        "projects_by_level": [{"level": g["level"], "label": str(g["label"]),
                               "count": g["count"], "broad": g["broad"]}
                              for g in level_groups(project_filter)],
        "projects_url": _absolute(request, f"/api/projets/?territoire={key}"),
        "context_figures": [{
            "indicator": v.definition.code, "label": v.definition.label,
            "unit": v.definition.unit, "value": v.value, "value_text": v.value_text,
            "period_start": v.period_start, "period_end": v.period_end,
            "source": v.source_note, "status": v.status, "project_id": v.project_id,
        } for v in territory.indicator_values.all()],
        "alternatives": [_territory_data(t) for t in resolution.alternatives],
    })
