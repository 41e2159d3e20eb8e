"""Thin views of the project maps: the map of a project, the explorer map of the listing's
selection (page + map document). Data: `projects.map_data`; maps: `maps.services.render`."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse

from portal import map_data
from portal.responses import map_response
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
