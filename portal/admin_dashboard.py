"""Panels of the staff dashboard (Wagtail admin home), each limited to the projects the user
may edit: my drafts, figures to update, projects without a published contact. "Pages
waiting for my review" is Wagtail's own panel (« En attente de votre relecture »), kept.

Each panel is one or two queries whatever the number of projects (counted in tests)."""

from __future__ import annotations

from django.db.models import Exists, Max, OuterRef
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.components import Component
from wagtail.permission_policies.pages import PagePermissionPolicy

from projects.models import ProjectContact, ProjectPage

LIMIT = 10


def editable_projects(user):
    """Projects the user may edit (their programme's subtree; everything for admins)."""
    editable = PagePermissionPolicy().instances_user_has_permission_for(user, "change")
    return ProjectPage.objects.filter(pk__in=editable.values("pk"))


def my_drafts(user):
    """Projects whose latest revision is mine and not published yet."""
    return (editable_projects(user)
            .filter(has_unpublished_changes=True, latest_revision__user=user)
            .order_by("-latest_revision_created_at"))


def figures_to_update(user, year: int | None = None):
    """Live projects whose latest figure's period ends before the current year."""
    year = year or timezone.localdate().year
    return (editable_projects(user).live()
            .annotate(last_period=Max(Coalesce("indicator_values__period_end",
                                               "indicator_values__period_start")))
            .filter(last_period__year__lt=year)
            .order_by("last_period", "title"))


def without_published_contact(user):
    """Live projects with no contact shown to the public."""
    published = ProjectContact.objects.filter(project=OuterRef("pk"), publish=True)
    return (editable_projects(user).live().filter(~Exists(published))
            .order_by("title"))


class ProjectListPanel(Component):
    """A dashboard panel listing up to LIMIT projects, with the total count."""

    template_name = "portal/admin/dashboard_panel.html"
    name = ""
    heading = ""
    empty = ""
    order = 400

    def __init__(self, user):
        self.user = user

    def rows(self):
        raise NotImplementedError

    def detail(self, page) -> str:
        return ""

    def get_context_data(self, parent_context):
        queryset = self.rows()
        pages = list(queryset[:LIMIT])
        return {
            "panel_id": self.name,
            "heading": self.heading,
            "empty": self.empty,
            "rows": [(page, self.detail(page)) for page in pages],
            "total": queryset.count() if len(pages) == LIMIT else len(pages),
        }


class MyDraftsPanel(ProjectListPanel):
    name = "my-drafts"
    heading = _("My drafts")
    empty = _("You have no unpublished draft.")
    order = 205

    def rows(self):
        return my_drafts(self.user)

    def detail(self, page):
        return _("saved on %(when)s") % {
            "when": timezone.localtime(page.latest_revision_created_at).strftime(
                "%d/%m/%Y %H:%M")} if page.latest_revision_created_at else ""


class FiguresToUpdatePanel(ProjectListPanel):
    name = "figures-to-update"
    heading = _("Figures to update")
    empty = _("Every project has figures for this year.")
    order = 410

    def rows(self):
        return figures_to_update(self.user)

    def detail(self, page):
        return _("latest figures: %(year)s") % {"year": page.last_period.year}


class MissingContactPanel(ProjectListPanel):
    name = "projects-without-contact"
    heading = _("Projects without a published contact")
    empty = _("Every project shows a contact.")
    order = 420

    def rows(self):
        return without_published_contact(self.user)


def add_panels(request, panels) -> None:
    """The `construct_homepage_panels` hook."""
    user = request.user
    panels.extend([MyDraftsPanel(user), FiguresToUpdatePanel(user), MissingContactPanel(user)])


