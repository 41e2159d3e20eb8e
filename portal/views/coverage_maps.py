"""Thin views of the coverage map ("zones blanches"): the communes of Hauts-de-France that
no project of a selection (programme, thématique; local projects by default) covers, with
their population and poverty rate. Projects select, indicators give the rates, `maps`
computes and draws the gaps."""

from django.template.response import TemplateResponse
from django.utils.translation import gettext, ngettext

from indicators.territory_figures import figure_labels
from maps.services import gaps, render
from portal import map_data
from portal.responses import map_response
from projects.coverage import communes_covered_by

#: The coverage page filters on these listing params only.
FILTERS = ("programme", "thematique")


def _rows(selection):
    return gaps.coverage_rows(communes_covered_by(selection.scoped_ids),
                              figure_labels())


def _map_query(selection) -> str:
    return "&".join(filter(None, [selection.querystring,
                                  f"{map_data.SCOPE_PARAM}={selection.scope}"]))


def coverage(request):
    """/cartes/couverture/?programme=&thematique=&portee=: map, table of the most
    populated uncovered communes and the one-line summary."""
    selection = map_data.selection(request.GET, only=FILTERS)
    map_data.add_option_field(selection, map_data.SCOPE_PARAM)
    summary = gaps.summarize(_rows(selection))
    sentence = ngettext(
        "%(n)s commune, %(p)s inhabitants without a project of this selection.",
        "%(n)s communes, %(p)s inhabitants without a project of this selection.",
        summary.uncovered_communes,
    ) % {"n": summary.uncovered_communes,
         "p": f"{summary.uncovered_population:,}".replace(",", "\u202f")}
    query = selection.querystring
    return TemplateResponse(request, "indicators/maps/coverage.html", {
        "filter": selection.filterset,
        "summary": summary,
        "sentence": sentence,
        "scope_label": dict(map_data.SCOPE_CHOICES)[selection.scope],
        "map_url": f"/cartes/couverture/carte/?{_map_query(selection)}",
        "listing_url": "/projets/" + (f"?{query}" if query else ""),
    })


def coverage_map(request):
    """/cartes/couverture/carte/?…: the coverage map document (iframe)."""
    selection = map_data.selection(request.GET, only=FILTERS)
    return map_response(request, render.coverage_map(
        {**selection.params, map_data.SCOPE_PARAM: selection.scope},
        title=gettext("Communes covered and not covered by the projects"),
        rows=lambda: _rows(selection)))
