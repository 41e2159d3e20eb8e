from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    name = "indicators"
    verbose_name = _("Indicators")

    def ready(self):
        from indicators import signals  # noqa: F401

        add_key_figures_panel()


def add_key_figures_panel():
    """The project editor's "Key figures" inline, placed after the objectives. Added from here
    because the figures are this app's model: `projects` (below) does not know them, not even
    by the name of their relation."""
    from projects.models import ProjectPage
    from projects.panels import OwnFormInlinePanel

    panels = list(ProjectPage.content_panels)
    if any(getattr(p, "relation_name", None) == "indicator_values" for p in panels):
        return
    after = next((i + 1 for i, p in enumerate(panels)
                  if getattr(p, "relation_name", None) == "objectives"), len(panels))
    # staff (#13): the figure's own form (only validators validate, who/when recorded).
    panels.insert(after, OwnFormInlinePanel("indicator_values", label=_("a figure"),
                                            heading=_("Key figures and indicators")))
    ProjectPage.content_panels = panels
