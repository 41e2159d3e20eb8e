"""/cartes/couverture/: coverage gaps of a selection of projects, with the poverty rate of
the uncovered communes (DESIGN.md §3)."""

from django.urls import path

from portal.views import coverage_maps as map_views

urlpatterns = [
    path("cartes/couverture/", map_views.coverage, name="coverage"),
    path("cartes/couverture/carte/", map_views.coverage_map, name="coverage-map"),
]
