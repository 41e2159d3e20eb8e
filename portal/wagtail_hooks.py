"""Admin additions of the portal: the data·inclusion export report."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from portal.views.opendata import data_inclusion_report


@hooks.register("register_admin_urls")
def register_report_url():
    return [path("data-inclusion/", data_inclusion_report, name="data-inclusion-report")]


@hooks.register("register_reports_menu_item")
def register_report_menu_item():
    return MenuItem(_("data·inclusion export"), reverse("data-inclusion-report"),
                    icon_name="list-ul", order=900)
