"""Territories in the admin: a searchable list, and the chooser used by project pages
("st amand" finds Saint-Amand-les-Eaux, "porte du hainaut" the EPCI), filtered by scale and
showing each territory's scale and code."""

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import IndexView, SnippetViewSet

from maps.admin_search import ORMSearchForm, orm_chooser_viewset
from maps.models import Scale, Territory


class TerritoryFilterSet(WagtailFilterSet):
    class Meta:
        model = Territory
        fields = ["scale", "is_obsolete"]


class TerritorySearchForm(ORMSearchForm):
    """Search by normalised name and code instead of full text, so that abbreviations and
    missing accents work in the admin as on the public site ("st amand", "roeulx"); a
    scale menu narrows 36,000 territories to the communes, EPCI or départements."""

    scale = forms.ChoiceField(
        label=_("Scale"), required=False,
        choices=[("", _("All scales")), *Scale.choices],
        widget=forms.Select(attrs={"data-chooser-modal-search-filter": True}),
    )

    def search(self, objects, query):
        return objects.matching(query).order_by("scale", "-population", "name")

    def filter(self, objects):
        scale = self.cleaned_data.get("scale")
        if scale:
            objects = objects.filter(scale=scale)
        return super().filter(objects)


def territory_columns():
    return [Column("scale", label=_("Scale"), accessor="get_scale_display"),
            Column("code", label=_("Code")),
            Column("population", label=_("Population"))]


TerritoryChooserViewSet = orm_chooser_viewset([], form_base=TerritorySearchForm,
                                              columns=territory_columns)


class TerritoryIndexView(IndexView):
    def search_queryset(self, queryset):
        if not self.is_searching:
            return queryset
        return queryset.matching(self.search_query)


class TerritoryViewSet(SnippetViewSet):
    model = Territory
    icon = "site"
    menu_label = _("Territories")
    menu_order = 300
    add_to_admin_menu = True
    list_display = ["name", "scale", "code", "population"]
    filterset_class = TerritoryFilterSet
    chooser_viewset_class = TerritoryChooserViewSet
    index_view_class = TerritoryIndexView
    search_backend_name = None
    search_fields = ["name", "code"]


register_snippet(TerritoryViewSet)
