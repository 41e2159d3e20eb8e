"""/cartes/couverture/: coverage gaps of a selection of projects (DESIGN.md §3). Here rather
than in projects/map_urls.py because the page shows poverty rates, which are indicator
values, and `projects` must not import `indicators`."""

from django.urls import path

from portal.views import coverage_maps as map_views

urlpatterns = [
    path("cartes/couverture/", map_views.coverage, name="coverage"),
    path("cartes/couverture/carte/", map_views.coverage_map, name="coverage-map"),
]
