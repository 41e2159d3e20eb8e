"""French full-text search: what a person types finds what they expect (sample projects)."""

import pytest

from projects.search import search_ids
from tests.projects.factories import ProjectPageFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("search_auto_update")]


@pytest.mark.smoke
def test_epicerie_without_accent_finds_the_epiceries_solidaires(is_postgres):
    grocery = ProjectPageFactory(title="Épicerie solidaire itinérante",
                                 summary="Des épiceries solidaires dans les villages.")
    other = ProjectPageFactory(title="Ateliers cuisine", summary="Cuisiner ensemble.")
    mention = ProjectPageFactory(title="Maison des familles",
                                 summary="Un point relais de l'épicerie solidaire voisine.")
    found = search_ids("epicerie")
    assert grocery.pk in found and mention.pk in found and other.pk not in found
    if is_postgres:  # ranked by ts_rank: the project named after it first
        assert found[0] == grocery.pk


def test_the_listing_sorts_a_search_by_relevance(client, catalogue):
    grocery = ProjectPageFactory(title="Épicerie solidaire", parent=catalogue.faad)
    response = client.get("/projets/?q=epicerie+solidaire")
    assert [p.pk for p in response.context["projects"]] == [grocery.pk]
    assert response.context["sort"] == "pertinence"


@pytest.mark.smoke
def test_the_index_follows_publication_not_each_save():
    """A publish saves the page twice (revision bookkeeping, then publication): only the
    second rewrites the index. A draft's new title is not searchable before it is
    published; once published it is, and the old one no longer is."""
    page = ProjectPageFactory(title="Verger partagé des Hauts", summary="Un jardin.")
    assert search_ids("verger") == [page.pk]
    page.title = "Potager collectif des Hauts"
    revision = page.save_revision()
    assert search_ids("potager") == [] and search_ids("verger") == [page.pk]
    revision.publish()
    assert search_ids("potager") == [page.pk] and search_ids("verger") == []
