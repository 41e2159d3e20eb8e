"""/recherche/: the one search box of the header and the home page, and its suggestions."""

from django.urls import path

from portal.views import search as views

urlpatterns = [
    path("recherche/", views.search, name="search"),
    path("recherche/suggestions/", views.suggestions, name="search-suggestions"),
]
