from django.urls import include, path

urlpatterns = [
    path("", include("projects.map_urls")),
]
