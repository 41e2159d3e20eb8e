"""Indicator catalogue (snippets) and territory figures in the admin; project figures are
edited inside each project page."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.panels import FieldPanel
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from indicators.models import IndicatorDefinition, IndicatorValue


class IndicatorDefinitionViewSet(SnippetViewSet):
    model = IndicatorDefinition
    icon = "table"
    menu_label = _("Indicators")
    menu_order = 310
    add_to_admin_menu = True
    list_display = ["label", "unit", "measure", "kind", "aggregation", "is_shared"]
    list_filter = ["is_shared", "kind", "measure"]
    search_fields = ["label", "code"]


register_snippet(IndicatorDefinitionViewSet)


class IndicatorValueViewSet(ModelViewSet):
    model = IndicatorValue
    icon = "list-ul"
    menu_label = _("Indicator values")
    menu_order = 320
    add_to_admin_menu = True
    list_display = ["definition", "project", "territory", "kind", "value", "target", "status"]
    list_filter = ["status", "kind", "definition__is_shared"]
    # The model's panels serve the project page's inline figures (the project is the page);
    # here a figure also chooses its project, or else its territory. With both fields in the
    # form, the "project or territory" check constraint is validated with a clear message
    # instead of failing in the database.
    panels = [FieldPanel("project"), *IndicatorValue.panels]


@hooks.register("register_admin_viewset")
def register_indicator_values():
    return IndicatorValueViewSet("indicator_values")


# --- Spreadsheet import of indicator values: indicators/admin_imports.py -------------------
from indicators.admin_imports import INDICATOR_VALUES  # noqa: E402


@hooks.register("register_admin_urls")
def register_indicator_values_import_urls():
    return INDICATOR_VALUES.urls()


@hooks.register("register_admin_menu_item")
def register_indicator_values_import_menu_item():
    return INDICATOR_VALUES.menu_item(order=340)
