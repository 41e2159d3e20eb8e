"""The pages' shell comes from django-dsfr (issue 10 point 6): skip links by
{% dsfr_skiplinks %}, breadcrumbs by {% dsfr_breadcrumb %} from {% breadcrumb_data %},
header and footer from dsfr/header.html and dsfr/footer.html overridden once, pagination
links by {% querystring %}."""

import re

import pytest
from django.template.loader import render_to_string

pytestmark = [pytest.mark.django_db]


def _breadcrumb(html: str) -> str:
    return re.search(r'<nav role="navigation" class="fr-breadcrumb".*?</nav>', html, re.S).group(0)


def test_skip_links_header_and_footer_are_the_portal_ones(client, catalogue):
    html = client.get("/").content.decode()
    skip = re.search(r'<div class="fr-skiplinks">.*?</div>', html, re.S).group(0)
    assert re.findall(r'href="(#[\w-]+)">([^<]+)<', skip) == [
        ("#content", "Contenu"), ("#main-nav", "Menu"), ("#footer", "Pied de page")]
    assert 'aria-label="Accès rapide"' in skip
    assert html.count('class="fr-header"') == 1 and html.count('<footer class="fr-footer') == 1
    assert 'id="header-search"' in html and 'id="main-nav"' in html
    assert "[url - à modifier]" not in html and "accès direct" not in html  # no dsfr default


def test_a_project_breadcrumb_goes_through_its_programme_and_is_stable(client, catalogue):
    project = catalogue.faad.get_children().live().specific().first()
    first = client.get(project.url).content.decode()
    crumb = _breadcrumb(first)
    assert re.findall(r'class="fr-breadcrumb__link"(?: href="([^"]*)")?[^>]*>([^<]+)<', crumb) == [
        ("/", "Accueil"), (catalogue.faad.url, catalogue.faad.title), ("", project.title)]
    assert 'aria-label="Vous êtes ici :"' in crumb
    # a fixed collapse id (django-dsfr draws a random one): the same HTML at every rendering
    assert _breadcrumb(client.get(project.url).content.decode()) == crumb


def test_a_view_breadcrumb_names_its_crumbs(client, catalogue):
    crumb = _breadcrumb(client.get("/suivi/faad/").content.decode())
    assert re.findall(r'class="fr-breadcrumb__link"(?: href="([^"]*)")?[^>]*>([^<]+)<', crumb) == [
        ("/", "Accueil"), ("/suivi/", "Suivi"), ("", catalogue.faad.title)]


def test_pagination_keeps_the_other_parameters_in_place(client, catalogue):
    html = client.get("/projets/?page=2&tri=titre&par_page=3").content.decode()
    pagination = re.search(r'<nav role="navigation" class="fr-pagination".*?</nav>', html, re.S)
    links = set(re.findall(r'href="([^"]+)"', pagination.group(0)))
    assert links == {f"?page={n}&amp;tri=titre&amp;par_page=3#results" for n in (1, 3)}


def test_error_pages_have_the_minimal_shell_without_a_request():
    html = render_to_string("500.html")
    assert 'href="#content">Contenu<' in html and "#main-nav" not in html
    assert 'class="fr-header"' in html and "fr-header__tools" not in html
    assert 'class="fr-footer"' in html and "fr-footer__bottom" not in html
