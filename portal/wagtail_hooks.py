"""Admin entries of the portal shell: locked-out logins (django-axes), right to erasure,
the data·inclusion export report, the reporting campaigns; staff operations (#13):
dashboard panels and the stale-edit guard."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from portal.admin_dashboard import add_panels
from portal.stale_edits import refuse_stale_edit
from portal.views.erasure import ErasePersonView
from portal.views.lockouts import PERMISSION, LockoutsView
from portal.views.monitoring_admin import campaign_admin
from portal.views.opendata import data_inclusion_report


@hooks.register("register_admin_urls")
def lockout_urls():
    return [
        path("connexions-bloquees/", LockoutsView.as_view(), name="portal_lockouts"),
        path("donnees-personnelles/effacer/", ErasePersonView.as_view(),
             name="portal_erase_person"),
    ]


class _StaffWithPermission(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm(PERMISSION)


@hooks.register("register_settings_menu_item")
def lockout_menu_item():
    return _StaffWithPermission(_("Locked-out logins"), reverse("portal_lockouts"),
                                icon_name="lock", order=900)


class _Superusers(MenuItem):
    def is_shown(self, request):
        return request.user.is_superuser


@hooks.register("register_settings_menu_item")
def erase_person_menu_item():
    return _Superusers(_("Erase a person's details"), reverse("portal_erase_person"),
                       icon_name="bin", order=910)


@hooks.register("register_admin_urls")
def data_inclusion_report_url():
    return [path("data-inclusion/", data_inclusion_report, name="data-inclusion-report")]


@hooks.register("register_reports_menu_item")
def data_inclusion_report_menu_item():
    return MenuItem(_("data·inclusion export"), reverse("data-inclusion-report"),
                    icon_name="list-ul", order=900)


@hooks.register("register_admin_urls")
def campaign_admin_url():
    return [path("suivi/campagnes/", campaign_admin, name="monitoring_campaigns")]


@hooks.register("register_admin_menu_item")
def campaign_admin_menu_item():
    return MenuItem(_("Reporting campaigns"), reverse("monitoring_campaigns"),
                    icon_name="tasks", order=330)


# --- staff (#13)
hooks.register("construct_homepage_panels", add_panels)
hooks.register("before_edit_page", refuse_stale_edit)
# --- end staff
