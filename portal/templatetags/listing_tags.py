"""The project listing inside a page's template: `{% project_listing programme=page %}`.

Programme pages and the project index show the listing of the territory pages (filters,
facets, results, pagination). Their Wagtail models live in `projects`, below `portal`, so
they cannot build it in `get_context`; their templates (in `portal`) ask for it here."""

from django import template

from portal.listing import project_listing as listing_context

register = template.Library()


@register.inclusion_tag("projects/includes/project_results.html", takes_context=True)
def project_listing(context, programme=None, territory=None) -> dict:
    request = context["request"]
    return {**listing_context(request, programme=programme, territory=territory),
            "request": request}
