"""RGAA checks in a real browser on the production settings (gunicorn, collected static):
valid HTML on the key pages and their map documents (Nu HTML checker), project pages that end
at the footer at desktop and mobile widths, and axe-core on the key pages."""

from __future__ import annotations

import urllib.request

import pytest

from tests.seed.browser.checkers import axe_violations, vnu_errors

pytestmark = pytest.mark.browser


@pytest.fixture(scope="package")
def sample(seed_facts) -> dict:
    """Addresses of the audit's sample pages: five projects spread over the programmes, from
    what `seed_facts` read before Playwright started its event loop (Django refuses database
    queries inside it)."""
    projects = seed_facts["live_projects"]
    picked = [projects[i * len(projects) // 5] for i in range(5)]
    return {
        "projects": [url for _pk, url in picked],
        "project_pk": picked[0][0],
        "pages": ["/", "/projets/", "/projets/?q=epicerie", "/faad/", picked[0][1],
                  "/territoires/59172/", "/cartes/projets/", "/cartes/couverture/",
                  "/suivi/", "/mentions-legales/", "/plan-du-site/",
                  "/declaration-accessibilite/"],
    }


@pytest.mark.django_db
def test_key_pages_and_their_map_documents_are_valid_html(production_server, sample,
                                                          tmp_path):
    paths = [*sample["pages"], "/cartes/projets/carte/", "/cartes/couverture/carte/",
             f"/cartes/projet/{sample['project_pk']}/"]
    files = []
    for number, path in enumerate(paths):
        with urllib.request.urlopen(production_server + path, timeout=120) as answer:
            assert answer.status == 200, path
            target = tmp_path / f"{number:02d}-{path.strip('/').replace('/', '_') or 'home'}.html"
            target.write_bytes(answer.read())
            files.append(target)
    assert vnu_errors(files) == []


@pytest.mark.parametrize("width", [1280, 375])
def test_project_pages_end_at_the_footer(browser, production_server, sample, width):
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="fr-FR")
    page = context.new_page()
    page.route("**/*", lambda route: route.continue_() if "127.0.0.1" in route.request.url
               else route.fulfill(status=204, body=""))
    try:
        for url in sample["projects"]:
            page.goto(production_server + url)
            overflow = page.evaluate("""() => {
                const footer = document.querySelector('footer').getBoundingClientRect().top;
                let worst = null;
                for (const el of document.querySelectorAll('main *')) {
                    const r = el.getBoundingClientRect();
                    if (r.height && r.bottom > footer + 1 && (!worst || r.bottom > worst.b))
                        worst = {b: r.bottom, what: el.tagName + '.' + el.className};
                }
                return worst;
            }""")
            assert overflow is None, (url, width, overflow)
    finally:
        context.close()


@pytest.mark.parametrize("which", ["/", "/projets/", "project", "/faad/", "/territoires/59172/",
                                   "/cartes/projets/", "/cartes/couverture/", "/suivi/",
                                   "/declaration-accessibilite/", "/plan-du-site/"])
def test_axe_finds_nothing_serious_on_key_pages(axe_page, production_server, sample, which):
    path = sample["projects"][0] if which == "project" else which
    axe_page.goto(production_server + path)
    assert axe_violations(axe_page) == []
