"""Routes of the catalogue outside the Wagtail page tree. Included at the root BEFORE
Wagtail's catch-all, so /projets/export.csv is not read as a child page of /projets/."""

from django.urls import include, path, re_path

from portal import api
from portal.views import catalogue as views

urlpatterns = [
    path("", include("portal.urls.project_maps")),
    # The Wagtail project index, served with its route cached (views.project_index).
    path(views.INDEX_PATH, views.project_index),
    path("projets/export.csv", views.export_csv, name="project-export-csv"),
    path("projets/export.xlsx", views.export_xlsx, name="project-export-xlsx"),
    path("projets/export.geojson", views.export_geojson, name="project-export-geojson"),
    path("territoires/", views.territory_index, name="territory-index"),
    re_path(r"^territoires/(?P<code>[^/]{1,120})/$", views.territory_page, name="territory-page"),
    path("api/", api.api.urls),
]
