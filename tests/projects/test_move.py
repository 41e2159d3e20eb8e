"""Moving a project page to another programme (the admin's « Déplacer »): Wagtail saves a
plain `Page` then, so the denormalised `programme` and the caches must follow by signal."""

import pytest
from django.http import QueryDict

from maps.models import DataVersion
from maps.services.render import cache_key
from portal.listing import listing_queryset
from projects.filters import ProjectFilter
from projects.models import ProjectPage

pytestmark = pytest.mark.django_db


def programme_slugs(programme: str) -> set[str]:
    query = QueryDict(f"programme={programme}")
    return {p.slug for p in ProjectFilter(query, queryset=listing_queryset()).qs}


@pytest.mark.smoke
def test_moving_a_project_updates_its_programme_listings_and_cached_maps(catalogue, client):
    project = catalogue.projects["amiens-only"]
    assert "amiens-only" in programme_slugs("faad")
    version, key = DataVersion.current(), cache_key("explorer", {"programme": "faad"})

    project.move(catalogue.thousand_days, pos="last-child")

    moved = ProjectPage.objects.get(pk=project.pk)
    assert moved.programme_id == catalogue.thousand_days.pk
    assert "amiens-only" in programme_slugs("1000-premiers-jours")
    assert "amiens-only" not in programme_slugs("faad")
    assert DataVersion.current() > version  # cached pages and maps are keyed on it
    assert cache_key("explorer", {"programme": "faad"}) != key
    page = client.get(moved.url)
    assert page.status_code == 200 and "1000 premiers jours" in page.content.decode()
