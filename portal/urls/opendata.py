"""Open data (/donnees/), the Atom feed of projects and the sitemap."""

from django.contrib.sitemaps.views import sitemap
from django.urls import path
from wagtail.contrib.sitemaps import Sitemap as WagtailSitemap

from portal.views import opendata as views

SITEMAPS = {
    "pages": WagtailSitemap,
    "portail": views.PortalPagesSitemap,
    "territoires": views.TerritorySitemap,
}

urlpatterns = [
    path("donnees/", views.opendata, name="opendata"),
    path("donnees/datapackage.json", views.datapackage, name="opendata-datapackage"),
    path("donnees/<slug:name>.csv", views.resource_csv, name="opendata-csv"),
    path("donnees/schemas/<slug:name>.json", views.resource_schema, name="opendata-schema"),
    path("donnees/data-inclusion/services.json", views.data_inclusion_services,
         name="data-inclusion-services"),
    path("donnees/data-inclusion/structures.json", views.data_inclusion_structures,
         name="data-inclusion-structures"),
    path("projets/flux.atom", views.ProjectFeed(), name="project-feed"),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS},
         name="django.contrib.sitemaps.views.sitemap"),
]
