"""Admin searches that work the same on PostgreSQL and SQLite.

Wagtail's listing and chooser searches go through the search backend, which only accepts
indexed fields and, on SQLite, failed on some of ours (HTTP 500 on "code", "search_name",
"no such column: name"). Reference data is small, so the admin searches it with the ORM:
`icontains` on named columns, and for territories the normalised-name matching the public
site uses ("st amand", "roeulx"). Lives in `maps` (the lowest app) so every app's admin can
use it."""

from __future__ import annotations

from functools import reduce
from operator import or_

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms.choosers import BaseFilterForm
from wagtail.snippets.views.chooser import ChooseResultsView, ChooseView, SnippetChooserViewSet


def orm_search(queryset, fields, query: str):
    """Rows where any of `fields` contains `query` (case-insensitive), every word of it."""
    for word in query.split():
        queryset = queryset.filter(reduce(or_, [Q(**{f"{f}__icontains": word}) for f in fields]))
    return queryset


class ORMSearchForm(BaseFilterForm):
    """The chooser's search box, answered by `orm_search` over `search_fields`."""

    search_fields: tuple[str, ...] = ()

    q = forms.CharField(label=_("Search term"), required=False,
                        widget=forms.TextInput(attrs={"placeholder": _("Search")}))

    def search(self, objects, query):
        return orm_search(objects, self.search_fields, query)

    def filter(self, objects):
        objects = super().filter(objects)
        query = (self.cleaned_data.get("q") or "").strip()
        if query:
            self.is_searching = True
            self.search_query = query
            objects = self.search(objects, query)
        return objects


def orm_chooser_viewset(fields, form_base=ORMSearchForm, columns=None):
    """A snippet chooser viewset whose search is `orm_search` over `fields`, and whose
    table shows `columns` (a callable returning extra Column objects) after the name."""
    form = type("SearchForm", (form_base,), {"search_fields": tuple(fields)})

    class Columns:
        filter_form_class = form

        @property
        def columns(self):
            base = super().columns
            return base + (columns() if columns else [])

    choose = type("Choose", (Columns, ChooseView), {})
    results = type("ChooseResults", (Columns, ChooseResultsView), {})
    return type("ORMChooserViewSet", (SnippetChooserViewSet,), {
        "choose_view_class": choose, "choose_results_view_class": results})
