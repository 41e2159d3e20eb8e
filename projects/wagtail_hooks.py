"""Admin for the catalogue's reference data: organisations, vocabularies, source documents.
Searches use the ORM (`maps.admin_search`): they work the same on PostgreSQL and SQLite."""

from django.utils.translation import gettext_lazy as _
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from maps.admin_search import orm_chooser_viewset
from projects.models import Organisation, Public, SourceDocument, Theme


class OrganisationViewSet(SnippetViewSet):
    model = Organisation
    icon = "group"
    menu_label = _("Organisations")
    list_display = ["name", "acronym", "kind", "siren"]
    list_filter = ["kind"]
    search_backend_name = None
    search_fields = ["name", "acronym", "siren"]
    chooser_viewset_class = orm_chooser_viewset(search_fields)


class ThemeViewSet(SnippetViewSet):
    model = Theme
    icon = "tag"
    list_display = ["label", "code"]
    search_backend_name = None
    search_fields = ["label", "code"]
    chooser_viewset_class = orm_chooser_viewset(search_fields)


class PublicViewSet(SnippetViewSet):
    model = Public
    icon = "user"
    list_display = ["label", "code"]
    search_backend_name = None
    search_fields = ["label", "code"]
    chooser_viewset_class = orm_chooser_viewset(search_fields)


class SourceDocumentViewSet(SnippetViewSet):
    model = SourceDocument
    icon = "doc-full"
    list_display = ["code", "title", "publisher"]
    search_backend_name = None
    search_fields = ["code", "title", "publisher"]
    chooser_viewset_class = orm_chooser_viewset(search_fields)


class CatalogueGroup(SnippetViewSetGroup):
    menu_label = _("Catalogue")
    menu_icon = "folder-open-inverse"
    items = (OrganisationViewSet, ThemeViewSet, PublicViewSet, SourceDocumentViewSet)


register_snippet(CatalogueGroup)


# --- Spreadsheet imports (upload, preview, confirm): projects/admin_imports.py -------------
from wagtail import hooks  # noqa: E402

from projects.admin_imports import LAUREATES  # noqa: E402


@hooks.register("register_admin_urls")
def register_laureate_import_urls():
    return LAUREATES.urls()


@hooks.register("register_admin_menu_item")
def register_laureate_import_menu_item():
    return LAUREATES.menu_item(order=330)


@hooks.register("register_page_header_buttons")
def laureate_import_button(page, user, view_name=None, next_url=None):
    """« Importer des lauréats » in the menu of each programme page."""
    from django.urls import reverse
    from wagtail.admin.widgets import Button

    from projects.models import ProgrammePage

    if page.specific_class is ProgrammePage and page.permissions_for_user(
            user).can_add_subpage():
        url = reverse("wagtailadmin_import_laureats") + f"?programme={page.slug}"
        yield Button(LAUREATES.title, url, icon_name="upload", priority=80)
