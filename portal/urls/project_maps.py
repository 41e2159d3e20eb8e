"""Map addresses of the catalogue (DESIGN.md §3): the explorer and the map of a project;
the coverage map is in portal/urls/coverage_maps.py."""

from django.urls import path

from portal.views import project_maps as map_views

urlpatterns = [
    path("cartes/projet/<int:pk>/", map_views.project_map, name="project-map"),
    path("cartes/projet/apercu/", map_views.draft_project_map, name="draft-project-map"),
    path("cartes/projets/", map_views.explorer, name="explorer"),
    path("cartes/projets/carte/", map_views.explorer_map, name="explorer-map"),
    path("cartes/geometrie/<str:level>.geojson", map_views.map_geometry, name="map-geometry"),
]
