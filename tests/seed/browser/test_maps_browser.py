"""The maps in a real browser, served with the production settings (tests/browser/conftest.py):
Leaflet loads from our static files, polygons and markers are drawn, no JavaScript error,
nothing is fetched outside 127.0.0.1 but the tiles, and the DSFR styles really apply."""

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

DSFR_BLUE = "rgb(0, 0, 145)"


def frame_of(watched, selector):
    """The iframe's Frame once its Leaflet container exists (iframes load lazily)."""
    page = watched.page
    page.locator(selector).scroll_into_view_if_needed()
    frame = page.frame_locator(selector)
    expect(frame.locator(".leaflet-container")).to_be_visible(timeout=30_000)
    return frame


def assert_clean(watched):
    assert watched.errors == []
    assert watched.outside == []


def test_explorer_map_draws_every_epci_with_our_assets_only(production_server, watched,
                                                            seed_facts):
    expected = seed_facts["region_epcis"]
    assert expected == 92
    watched.page.goto(f"{production_server}/cartes/projets/")
    frame = frame_of(watched, "#explorer-map")
    expect(frame.locator("path.leaflet-interactive")).to_have_count(expected, timeout=30_000)
    expect(frame.locator(".portal-legend")).to_be_visible()
    expect(frame.locator(".leaflet-control-layers")).to_be_visible()
    assert frame.locator(".marker-cluster, .leaflet-marker-icon").count() > 0
    summary = watched.page.locator("#explorer-summary").inner_text()
    # The region's projects only: the examples elsewhere in France are not on its map.
    assert summary.startswith(f"{seed_facts['regional_projects']} projets de la région ")
    assert_clean(watched)


def test_dsfr_styles_apply_in_production(production_server, watched):
    """The trap of DESIGN.md §6: with hashed static files, SRI hashes would block the DSFR."""
    watched.page.goto(f"{production_server}/cartes/projets/?programme=faad")
    button = watched.page.locator("form .fr-btn[type=submit]").first
    color = button.evaluate("e => getComputedStyle(e).backgroundColor")
    assert color == DSFR_BLUE
    font = watched.page.locator("header.fr-header").evaluate(
        "e => getComputedStyle(e).fontFamily")
    assert "Marianne" in font
    assert_clean(watched)


def test_project_page_map_shows_the_four_venues(production_server, watched, seed_facts):
    watched.page.goto(production_server + seed_facts["savourer_url"])
    frame = frame_of(watched, "iframe.portal-map-frame")
    expect(frame.locator("img.leaflet-marker-icon")).to_have_count(4, timeout=30_000)
    # The EPCI polygon (interactive) and its département outline (not interactive).
    expect(frame.locator("path.leaflet-interactive")).to_have_count(1)
    assert frame.locator(".leaflet-overlay-pane path").count() == 2
    # A click that lands during Leaflet's zoom animation is ignored: retry a few times.
    popup = frame.locator(".leaflet-popup-content")
    for _attempt in range(4):
        frame.locator("img.leaflet-marker-icon").first.click()
        try:
            popup.wait_for(state="visible", timeout=5_000)
            break
        except PlaywrightTimeout:
            continue
    expect(popup).to_be_visible()
    assert_clean(watched)


def test_project_abroad_is_a_point(production_server, watched, seed_facts):
    watched.page.goto(production_server + seed_facts["abroad_url"])
    frame = frame_of(watched, "iframe.portal-map-frame")
    expect(frame.locator("path.leaflet-interactive")).to_have_count(1, timeout=30_000)
    assert_clean(watched)


def test_coverage_map_draws_every_commune_of_the_region(production_server, watched,
                                                        seed_facts):
    watched.page.goto(f"{production_server}/cartes/couverture/?programme=faad")
    frame = frame_of(watched, "#coverage-map")
    expect(frame.locator("path.leaflet-interactive")).to_have_count(
        seed_facts["region_communes"], timeout=60_000)
    rows = watched.page.locator("#coverage-table tbody tr")
    assert rows.count() == 20
    assert_clean(watched)


def test_keyboard_users_can_skip_the_map(production_server, watched):
    watched.page.goto(f"{production_server}/cartes/projets/")
    skip = watched.page.locator(".fr-skiplinks a[href='#explorer-tables']")
    assert skip.count() == 1
    watched.page.keyboard.press("Tab")
    for _ in range(6):
        if watched.page.evaluate("document.activeElement.getAttribute('href')") == \
                "#explorer-tables":
            break
        watched.page.keyboard.press("Tab")
    watched.page.keyboard.press("Enter")
    assert watched.page.evaluate("location.hash") == "#explorer-tables"
    assert_clean(watched)


def test_map_page_of_a_territory_is_accessible_with_named_markers(axe_page, production_server):
    """/cartes/projets/?territoire=59172 (issue 14 §6): axe-core finds nothing serious or
    critical on the page nor in the map document; every control Leaflet makes a button
    (markers, cluster icons) has a name; the document lets people zoom."""
    from tests.seed.browser.checkers import axe_violations

    page = axe_page
    page.goto(f"{production_server}/cartes/projets/?territoire=59172")
    assert axe_violations(page, impacts=("serious", "critical")) == []
    page.goto(f"{production_server}/cartes/projets/carte/?territoire=59172")
    page.locator(".leaflet-marker-icon").first.wait_for(timeout=30_000)
    assert axe_violations(page, impacts=("serious", "critical")) == []
    unnamed = page.evaluate("""() => Array.from(document.querySelectorAll('[role=button]'))
        .filter(e => !(e.getAttribute('aria-label') || e.getAttribute('alt')
                       || e.getAttribute('title') || e.textContent.trim()))
        .map(e => e.outerHTML.slice(0, 120))""")
    assert unnamed == []
    names = page.evaluate("""() => Array.from(document.querySelectorAll(
        '.leaflet-marker-icon')).map(e => e.getAttribute('aria-label') || e.alt)""")
    assert names and all(names)
    viewport = page.locator('meta[name="viewport"]').get_attribute("content")
    assert "user-scalable" not in viewport and "maximum-scale" not in viewport
