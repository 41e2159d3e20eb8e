"""Map addresses of the catalogue (DESIGN.md §3). The coverage map needs indicator values,
so it lives in `indicators` (indicators/map_urls.py)."""

from django.urls import path

from projects import map_views

urlpatterns = [
    path("cartes/projet/<int:pk>/", map_views.project_map, name="project-map"),
    path("cartes/projet/apercu/", map_views.draft_project_map, name="draft-project-map"),
    path("cartes/projets/", map_views.explorer, name="explorer"),
    path("cartes/projets/carte/", map_views.explorer_map, name="explorer-map"),
]
