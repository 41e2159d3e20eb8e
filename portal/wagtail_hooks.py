"""Admin entries of the portal shell: locked-out logins (django-axes)."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from portal.views.lockouts import PERMISSION, LockoutsView


@hooks.register("register_admin_urls")
def lockout_urls():
    return [path("connexions-bloquees/", LockoutsView.as_view(), name="portal_lockouts")]


class _StaffWithPermission(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm(PERMISSION)


@hooks.register("register_settings_menu_item")
def lockout_menu_item():
    return _StaffWithPermission(_("Locked-out logins"), reverse("portal_lockouts"),
                                icon_name="lock", order=900)
