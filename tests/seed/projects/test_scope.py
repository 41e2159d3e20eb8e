"""Honest scope (issue 14 §2) on the real seed: the portal is regional; the 91 national
examples of the 1000 premiers jours document are a separate, labelled set."""

from html import unescape

import pytest

from projects.coverage import in_home_region
from projects.models import ProjectPage

pytestmark = pytest.mark.django_db


def text(response) -> str:
    assert response.status_code == 200
    return " ".join(unescape(response.content.decode()).split())


def test_the_seed_has_44_regional_projects_and_91_examples_elsewhere():
    live = ProjectPage.objects.live()
    assert live.filter(in_home_region=True).count() == 44
    examples = live.filter(in_home_region=False)
    assert examples.count() == 91
    assert set(examples.values_list("programme__slug", flat=True)) == {"1000-premiers-jours"}
    # the stored flag is the rule's answer (Jette, Belgium: a foreign place, not the region)
    for project in live.filter(slug__in=["1000-jours-pour-mon-enfant-jette",
                                         "1000-jours-pour-savourer-la-vie"]):
        assert project.in_home_region == in_home_region(project.covered_territories)


def test_home_page_counts_the_region_and_shows_the_examples_apart(client):
    page = text(client.get("/"))
    assert "44 projets en Hauts-de-France sont publiés." in page
    assert "7 projets en Hauts-de-France" in page and "et 91 exemples ailleurs en France" in page
    assert "Exemples ailleurs en France" in page and "/projets/?perimetre=ailleurs" in page
    assert "98 projets" not in page
    assert "présentés à part, exemples ailleurs en France" in page  # the footer


def test_listing_defaults_to_the_region_with_a_visible_way_to_the_examples(client):
    response = client.get("/projets/")
    assert response.context["result_count"] == 44
    page = text(response)
    assert "Périmètre" in page
    assert "Hauts-de-France (44)" in page and "Exemples ailleurs en France (91)" in page
    assert "Hauts-de-France et exemples ailleurs (135)" in page
    assert "91 exemples ailleurs en France, cités par le document national" in page
    examples = client.get("/projets/?perimetre=ailleurs")
    assert examples.context["result_count"] == 91
    assert all(not card.in_home_region for card in examples.context["projects"])
    assert "Exemple ailleurs en France" in text(examples)  # the card's badge
    assert client.get("/projets/?perimetre=tous").context["result_count"] == 135


def test_bookmarked_addresses_keep_working(client):
    assert client.get("/projets/?territoire=32").context["result_count"] == 44
    assert client.get("/projets/?territoire=59172").context["result_count"] == 15
    # a territory elsewhere still lists its examples (the territory decides the perimeter)
    marseille = client.get("/projets/?territoire=13055")
    assert marseille.context["result_count"] > 0
    assert "Dont" in text(marseille)


def test_programme_page_counts_its_examples_apart(client):
    response = client.get("/1000-premiers-jours/")
    page = text(response)
    assert "7 projets" in page
    assert "91 exemples ailleurs en France" in page
    examples = client.get("/1000-premiers-jours/?perimetre=ailleurs")
    assert "91 projets" in text(examples)


def test_monitoring_counts_the_region_only(client):
    overview = text(client.get("/suivi/1000-premiers-jours/"))
    assert "Marseille" not in overview and "Bouches-du-Rhône" not in overview
