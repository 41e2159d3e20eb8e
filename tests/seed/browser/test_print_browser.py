"""Printing a listing (issue 14): Chromium's print preview (`page.pdf`, A4, the print
stylesheet) of Denain's 15 results fits on two pages, with the contacts and without the
filter form, the map links or the header navigation."""

import re

import pytest

pytestmark = pytest.mark.browser


def pdf_pages(pdf: bytes) -> int:
    """Pages of a PDF: with pypdf when installed, else the page objects of the file (the
    PDFs Chromium writes are not compressed at the object level)."""
    try:
        from pypdf import PdfReader
    except ImportError:
        return len(re.findall(rb"/Type\s*/Page(?!s)", pdf))
    import io

    return len(PdfReader(io.BytesIO(pdf)).pages)


def test_denain_results_print_on_two_a4_pages_with_contacts(production_server, watched):
    page = watched.page
    response = page.goto(production_server + "/projets/?territoire=59172", wait_until="load")
    assert response.status == 200
    assert page.locator(".fr-card__title").count() == 15  # every result on one screen page
    page.emulate_media(media="print")
    for hidden in ("form[role='search']", ".fr-header", ".fr-btns-group",
                   ".portal-listing__filters", ".portal-filters-button"):
        assert not page.locator(hidden).first.is_visible(), hidden
    assert page.locator(".portal-contact").first.is_visible()  # contacts are printed
    pdf = page.pdf(format="A4", print_background=False)
    pages = pdf_pages(pdf)
    assert 1 <= pages <= 2, pages
    assert not watched.errors


def test_a_project_prints_its_referral_block(production_server, watched, seed_facts):
    page = watched.page
    page.goto(production_server + seed_facts["savourer_url"], wait_until="load")
    page.emulate_media(media="print")
    assert page.locator("#orienter").is_visible()
    assert not page.locator(".fr-header").first.is_visible()
    assert pdf_pages(page.pdf(format="A4")) >= 1
