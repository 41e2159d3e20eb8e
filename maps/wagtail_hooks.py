"""Territories in the admin: a searchable list, and the chooser used by project pages
("st amand" finds Saint-Amand-les-Eaux, "porte du hainaut" the EPCI)."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import WagtailFilterSet
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.chooser import ChooseResultsView, ChooseView, SnippetChooserViewSet
from wagtail.snippets.views.snippets import SnippetViewSet

from maps.models import Territory


class TerritoryFilterSet(WagtailFilterSet):
    class Meta:
        model = Territory
        fields = ["scale", "is_obsolete"]


class _TerritorySearchMixin:
    """Search by normalised name and code instead of full-text, so abbreviations and missing
    accents work the same way in the admin as on the public site."""

    def search_queryset(self, objects):
        if getattr(self, "search_query", None):
            return objects.matching(self.search_query).order_by("scale", "name")
        return objects

    def filter_object_list(self, objects):
        objects = super().filter_object_list(objects)
        return objects


class TerritoryChooseView(_TerritorySearchMixin, ChooseView):
    pass


class TerritoryChooseResultsView(_TerritorySearchMixin, ChooseResultsView):
    pass


class TerritoryChooserViewSet(SnippetChooserViewSet):
    choose_view_class = TerritoryChooseView
    choose_results_view_class = TerritoryChooseResultsView


class TerritoryViewSet(SnippetViewSet):
    model = Territory
    icon = "site"
    menu_label = _("Territories")
    menu_order = 300
    add_to_admin_menu = True
    list_display = ["name", "scale", "code", "population"]
    filterset_class = TerritoryFilterSet
    chooser_viewset_class = TerritoryChooserViewSet
    search_fields = ["search_name", "code"]


register_snippet(TerritoryViewSet)
