"""The Content Security Policy in a real browser, on the production settings (gunicorn): the
key pages and their map iframes load with no CSP violation and no JavaScript error, and the
maps still draw (folium's inline script is allowed in the map documents only)."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

# Recorded in every frame (the map iframes too) before any script of the page runs.
LISTEN = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', e => window.__csp.push(
    e.violatedDirective + ' ' + (e.blockedURI || 'inline') + ' ' + (e.sourceFile || '')));
"""


def violations(page) -> list[str]:
    found = []
    for frame in page.frames:
        try:
            found += frame.evaluate("window.__csp || []")
        except Exception as error:  # a frame navigated away meanwhile
            found.append(f"frame not readable: {error}")
    return found


@pytest.mark.parametrize("key", ["home", "listing", "project", "explorer", "monitoring",
                                 "admin_login"])
def test_key_pages_have_no_csp_violation(production_server, watched, seed_facts, key):
    address = {"home": "/", "listing": "/projets/", "project": seed_facts["savourer_url"],
               "explorer": "/cartes/projets/", "monitoring": "/suivi/",
               "admin_login": "/admin/login/"}[key]
    page = watched.page
    page.context.add_init_script(LISTEN)
    response = page.goto(production_server + address, wait_until="load")
    assert response.status == 200
    assert "content-security-policy" in response.headers
    for frame_element in page.locator("iframe").all():
        frame_element.scroll_into_view_if_needed()
    if key in ("project", "explorer"):
        frame = page.frame_locator("iframe.portal-map-frame").first
        expect(frame.locator(".leaflet-container")).to_be_visible(timeout=30_000)
    page.wait_for_load_state("networkidle")
    assert violations(page) == []
    csp_console = [e for e in watched.errors if "Content Security Policy" in e]
    assert csp_console == []
    assert watched.errors == []
