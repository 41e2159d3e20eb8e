"""Thin views of the project maps: the map of a project, the explorer map of the listing's
selection (page + map document). Data: `projects.map_data`; maps: `maps.services.render`."""

from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse

from portal import map_data
from portal.responses import map_response
from projects.models import ProjectPage


def project_map(request, pk: int):
    """/cartes/projet/<pk>/: the map document embedded in the project page."""
    project = get_object_or_404(ProjectPage.objects.live().only("id", "title"), pk=pk)
    return map_response(request, map_data.project_map(project))


def explorer(request):
    """/cartes/projets/?<listing filters>: filters, map, table and summary."""
    selection = map_data.selection(request.GET)
    map_data.add_option_field(selection, map_data.LEVEL_PARAM)
    return TemplateResponse(request, "projects/maps/explorer.html",
                            map_data.explorer_context(selection))


def explorer_map(request):
    """/cartes/projets/carte/?<listing filters>&niveau=: the explorer map document."""
    return map_response(request, map_data.explorer_map(map_data.selection(request.GET)))
