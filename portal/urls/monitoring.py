"""Monitoring addresses (see DESIGN.md, "Public addresses"): /suivi/ and /suivi/<programme>/,
and one CSV per dashboard table."""

from django.urls import path

from portal.views import monitoring as views

app_name = "indicators"

urlpatterns = [
    path("suivi/", views.monitoring, name="monitoring"),
    path("suivi/<slug:table>.csv", views.monitoring_csv, name="monitoring_csv"),
    path("suivi/carte/", views.monitoring_map, name="monitoring_map"),
    path("suivi/<slug:programme>/", views.monitoring, name="programme_monitoring"),
    path("suivi/<slug:programme>/carte/", views.monitoring_map, name="programme_monitoring_map"),
    path("suivi/<slug:programme>/<slug:table>.csv", views.monitoring_csv,
         name="programme_monitoring_csv"),
]
