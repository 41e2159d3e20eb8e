"""Territories in the admin: a searchable list, and the chooser used by project pages
("st amand" finds Saint-Amand-les-Eaux, "porte du hainaut" the EPCI)."""

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.forms.choosers import BaseFilterForm
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.chooser import ChooseResultsView, ChooseView, SnippetChooserViewSet
from wagtail.snippets.views.snippets import SnippetViewSet

from maps.models import Territory


class TerritoryFilterSet(WagtailFilterSet):
    class Meta:
        model = Territory
        fields = ["scale", "is_obsolete"]


class TerritorySearchForm(BaseFilterForm):
    """Search by normalised name and code instead of full text, so that abbreviations and
    missing accents work in the admin as on the public site ("st amand", "roeulx")."""

    q = forms.CharField(label=_("Search term"), required=False,
                        widget=forms.TextInput(attrs={"placeholder": _("Search")}))

    def filter(self, objects):
        query = (self.cleaned_data.get("q") or "").strip()
        if query:
            self.is_searching = True
            self.search_query = query
            objects = objects.matching(query).order_by("scale", "-population", "name")
        return objects


class TerritoryChooseView(ChooseView):
    filter_form_class = TerritorySearchForm


class TerritoryChooseResultsView(ChooseResultsView):
    filter_form_class = TerritorySearchForm


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
