"""The one search box in a real browser (issue 14 §1, §5): the header combobox proposes
Denain as one types, is driven by the keyboard (ARIA 1.2: aria-activedescendant, arrows,
Enter, Escape), passes axe-core open; without JavaScript the same box is a plain form; on a
phone the filters open in a DSFR modal, results first."""

import pytest
from playwright.sync_api import expect

from tests.seed.browser.checkers import axe_violations

pytestmark = pytest.mark.browser

SERIOUS = ("serious", "critical")


def open_suggestions(page, text="denai"):
    box = page.locator("#header-search")
    box.click()
    box.press_sequentially(text, delay=30)
    expect(box).to_have_attribute("aria-expanded", "true", timeout=10_000)
    return box


def test_the_header_combobox_is_driven_by_the_keyboard(production_server, watched):
    page = watched.page
    page.goto(production_server + "/", wait_until="load")
    box = open_suggestions(page)
    assert box.get_attribute("role") == "combobox"
    listbox = page.locator("#" + box.get_attribute("aria-controls"))
    expect(listbox).to_be_visible()
    first = listbox.locator("[role=option]").first
    expect(first).to_contain_text("Denain")
    expect(first).to_contain_text("59172")
    expect(first).to_contain_text("Nord")
    box.press("ArrowDown")
    assert box.get_attribute("aria-activedescendant") == first.get_attribute("id")
    assert first.get_attribute("aria-selected") == "true"
    box.press("Escape")
    expect(box).to_have_attribute("aria-expanded", "false")
    assert box.get_attribute("aria-activedescendant") is None
    assert box.input_value() == "denai"  # the first Escape only closes the list
    box.press("ArrowDown")  # reopens on the same suggestions
    expect(box).to_have_attribute("aria-expanded", "true")
    with page.expect_navigation():
        box.press("Enter")
    assert page.url.endswith("/projets/?territoire=commune-59172")
    expect(page.locator("#results h2")).to_contain_text("15 projets")
    assert watched.errors == []


def test_the_open_combobox_passes_axe(production_server, axe_page):
    axe_page.goto(production_server + "/", wait_until="load")
    box = open_suggestions(axe_page)
    box.press("ArrowDown")
    assert axe_violations(axe_page, impacts=SERIOUS) == []


def test_without_javascript_the_box_is_a_form(production_server, browser):
    context = browser.new_context(java_script_enabled=False, locale="fr-FR",
                                  viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    try:
        page.goto(production_server + "/", wait_until="load")
        box = page.locator("#header-search")
        assert box.get_attribute("role") is None  # no half-built combobox
        box.fill("epicerie denain")
        with page.expect_navigation():
            box.press("Enter")
        assert "territoire=commune-59172" in page.url and "q=epicerie" in page.url
        notice = page.locator(".portal-search-notice")
        expect(notice).to_contain_text("comme mots-clés")
        expect(page.locator("#modal-filters form")).to_be_visible()  # filters in place
        expect(page.locator("[data-portal-copy-link]")).to_be_hidden()
    finally:
        context.close()


def test_on_a_phone_results_come_first_and_filters_open_in_a_modal(production_server,
                                                                     browser):
    context = browser.new_context(viewport={"width": 375, "height": 800}, locale="fr-FR",
                                  is_mobile=True, has_touch=True)
    page = context.new_page()
    try:
        page.goto(production_server + "/projets/?territoire=Denain", wait_until="load")
        first_card = page.locator("#results .fr-card").first
        expect(first_card).to_be_visible()
        form = page.locator("#modal-filters form")
        expect(form).to_be_hidden()  # the ~1,100 px of filters are no longer in the way
        count = page.locator("#results h2").bounding_box()
        assert first_card.bounding_box()["y"] - count["y"] < 800  # count, actions, result
        page.get_by_role("button", name="Filtrer").click()
        expect(form).to_be_visible()
        expect(page.locator("#modal-filters")).to_have_attribute("aria-labelledby",
                                                                 "filters-title")
        page.keyboard.press("Escape")
        expect(form).to_be_hidden()
        page.locator("#button-search").click()  # the header search has its button back
        expect(page.locator("#header-search")).to_be_visible()
    finally:
        context.close()


def test_copy_link_and_print_buttons_work(production_server, browser):
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 1000})
    context.grant_permissions(["clipboard-read", "clipboard-write"],
                              origin=production_server)
    page = context.new_page()
    try:
        address = production_server + "/projets/?territoire=commune-59172"
        page.goto(address, wait_until="load")
        page.get_by_role("button", name="Copier le lien").click()
        expect(page.locator("[data-portal-copy-status]")).to_contain_text("Lien copié")
        assert page.evaluate("navigator.clipboard.readText()") == address
        expect(page.get_by_role("button", name="Imprimer")).to_be_visible()
    finally:
        context.close()
