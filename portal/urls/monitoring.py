"""Monitoring addresses (see DESIGN.md, "Public addresses"): /suivi/ and /suivi/<programme>/,
one CSV per dashboard table, the year's reporting campaign and the figures behind a total."""

from django.urls import path

from portal.views import monitoring as views

app_name = "indicators"

urlpatterns = [
    path("suivi/", views.monitoring, name="monitoring"),
    path("suivi/<slug:table>.csv", views.monitoring_csv, name="monitoring_csv"),
    path("suivi/carte/", views.monitoring_map, name="monitoring_map"),
    path("suivi/<slug:programme>/", views.monitoring, name="programme_monitoring"),
    path("suivi/<slug:programme>/carte/", views.monitoring_map, name="programme_monitoring_map"),
    path("suivi/<slug:programme>/<int:year>/", views.campaign_page, name="campaign"),
    path("suivi/<slug:programme>/<int:year>/manquants.csv", views.campaign_missing_csv,
         name="campaign_missing_csv"),
    path("suivi/<slug:programme>/indicateurs/<slug:code>/", views.indicator_page,
         name="indicator"),
    path("suivi/<slug:programme>/<slug:table>.csv", views.monitoring_csv,
         name="programme_monitoring_csv"),
]
