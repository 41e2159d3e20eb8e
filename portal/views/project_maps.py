"""Thin views of the project maps: the map of a project, the explorer map of the listing's
selection (page + map document). Data: `projects.map_data`; maps: `maps.services.render`."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.views.decorators.http import require_safe

from maps.services import render
from portal import map_data
from portal.responses import geometry_response, map_response
from projects.models import ProjectPage


def project_map(request, pk: int):
    """/cartes/projet/<pk>/: the map document embedded in the project page."""
    project = get_object_or_404(ProjectPage.objects.live().only("id", "title"), pk=pk)
    return map_response(request, map_data.project_map(project))


def draft_project_map(request):
    """/cartes/projet/apercu/?territoires=<ids>: the map of a draft's territories, for the
    admin preview (staff only: a draft is not public)."""
    if not request.user.has_perm("wagtailadmin.access_admin"):
        raise PermissionDenied
    ids = [int(part) for part in request.GET.get("territoires", "").split(",")
           if part.isdigit()][:2000]
    return map_response(request, map_data.draft_project_map(ids, request.GET.get("titre", "")))


def explorer(request):
    """/cartes/projets/?<listing filters>: filters, map, table and summary."""
    selection = map_data.selection(request.GET)
    map_data.add_option_field(selection, map_data.LEVEL_PARAM)
    map_data.add_option_field(selection, map_data.SCOPE_PARAM)
    return TemplateResponse(request, "projects/maps/explorer.html",
                            map_data.explorer_context(selection))


def explorer_map(request):
    """/cartes/projets/carte/?<listing filters>&niveau=: the explorer map document."""
    return map_response(request, map_data.explorer_map(map_data.selection(request.GET)))


@require_safe
def map_geometry(request, level: str):
    """/cartes/geometrie/<level>.geojson?v=<version>[&detail=1]: the polygons of a
    choropleth level of the home region, which the explorer maps fetch (their documents
    carry only counts and names). Immutable under its versioned URL."""
    if level not in render.LEVELS:
        raise Http404
    detail = request.GET.get("detail") == "1"
    version = render.geometry_version()
    return geometry_response(request, render.level_geometry(level, detail, version),
                             key=f"{level}:{int(detail)}:v{version}",
                             immutable=request.GET.get("v") == str(version))
