"""Indicator catalogue (snippets) and the values list in the admin; project figures are
edited inside each project page. Searches use the ORM (`maps.admin_search`): the same on
PostgreSQL and SQLite."""

import django_filters
from django.utils import formats
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.admin.ui.tables import Column
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from indicators.forms import IndicatorValueForm
from indicators.models import IndicatorDefinition, IndicatorValue
from maps.admin_search import orm_chooser_viewset
from projects.models import ProgrammePage


class IndicatorDefinitionViewSet(SnippetViewSet):
    model = IndicatorDefinition
    icon = "table"
    menu_label = _("Indicators")
    menu_order = 310
    add_to_admin_menu = True
    list_display = ["label", "code", "unit", "measure", "kind", "aggregation", "is_shared"]
    list_filter = ["is_shared", "kind", "measure"]
    search_backend_name = None
    search_fields = ["label", "code", "unit"]
    # The chooser of the project form: "Bénéficiaires" finds the indicator by its label.
    chooser_viewset_class = orm_chooser_viewset(
        search_fields, columns=lambda: [Column("code", label=_("Code")),
                                        Column("unit", label=_("Unit"))])


register_snippet(IndicatorDefinitionViewSet)


def french_number(number) -> str:
    """80.0000 → "80", 1234.5 → "1 234,5": a stored decimal as French staff read it."""
    if number is None:
        return ""
    text = f"{number.normalize():f}"
    return formats.number_format(text if "." in text else int(text), use_l10n=True,
                                 force_grouping=True)


class IndicatorValueFilterSet(WagtailFilterSet):
    programme = django_filters.ModelChoiceFilter(
        label=_("Programme"), field_name="project__programme",
        queryset=ProgrammePage.objects.order_by("title"))

    class Meta:
        model = IndicatorValue
        fields = ["programme", "status", "kind", "definition__is_shared"]


class IndicatorValueViewSet(ModelViewSet):
    model = IndicatorValue
    icon = "list-ul"
    menu_label = _("Indicator values")
    menu_order = 320
    add_to_admin_menu = True
    list_display = [
        "definition", "project", "territory",
        Column("period_label", label=_("Period")),
        Column("value", label=_("Value"), accessor=lambda v: french_number(v.value)
               or v.value_text),
        Column("target", label=_("Target"), accessor=lambda v: french_number(v.target)),
        "status",
        Column("validated_by", label=_("Validated by"),
               accessor=lambda v: v.validated_by or ""),
    ]
    filterset_class = IndicatorValueFilterSet
    search_backend_name = None
    search_fields = ["definition__label", "definition__code", "project__title",
                     "territory__name", "value_text", "source_note"]
    # The model's panels serve the project page's inline figures (the project is the page);
    # here a figure also chooses its project, or else its territory. With both fields in the
    # form, the "project or territory" check constraint is validated with a clear message
    # instead of failing in the database. The form refuses « validé » from non-validators.
    edit_handler = ObjectList([FieldPanel("project"), *IndicatorValue.panels],
                              base_form_class=IndicatorValueForm)

    def get_queryset(self, request):
        return IndicatorValue.objects.select_related(
            "definition", "project", "territory", "validated_by")


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
