"""Template access to a project's key figures (`indicators.aggregation.project_key_figures`)
for the project page: its model (in `projects`) cannot ask `indicators` itself."""

from django import template

from indicators.aggregation import project_key_figures

register = template.Library()


@register.simple_tag
def key_figures_of(project) -> dict:
    """{% key_figures_of page as figures %}: `figures.groups` (one per indicator: targets,
    actuals by period, progress), `figures.context` (figures about territories) and
    `figures.has_actuals` (whether anything was reported yet)."""
    groups, context = project_key_figures(project)
    return {"groups": groups, "context": context,
            "has_actuals": any(group.actuals for group in groups)}
