"""The whole staff path in a real browser, on the production settings: a « Rédaction FAAD »
editor logs in, creates a project with two territories pasted as INSEE codes, a figure
chosen through the indicator chooser and a contact, and submits it; a « Relecture FAAD »
reviewer logs in and approves it from the dashboard; the public page shows it.

Users, roles and the project are committed to the test database (gunicorn reads it) and
removed at the end, from a separate thread: Playwright's event loop runs in the test
thread, where Django refuses database queries."""

import re

import pytest
from playwright.sync_api import expect

from tests.seed.browser.helpers import PASSWORD, in_thread, production_password

pytestmark = pytest.mark.browser

TITLE = "Épicerie itinérante de la Porte du Hainaut (test navigateur)"


def create_accounts():
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from portal.roles import editor_group_name, reviewer_group_name, setup_roles
    from projects.models import ProgrammePage

    setup_roles()
    users = get_user_model().objects
    editor = users.create(username="nav-redaction", email="r@example.org",
                          password=production_password())
    editor.groups.add(Group.objects.get(name=editor_group_name("FAAD")))
    reviewer = users.create(username="nav-relecture", email="l@example.org",
                            password=production_password())
    reviewer.groups.add(Group.objects.get(name=reviewer_group_name("FAAD")))
    return {"faad": ProgrammePage.objects.get(slug="faad").pk}


def remove_accounts():
    from django.contrib.auth import get_user_model

    from projects.models import ProjectPage

    for page in ProjectPage.objects.filter(title=TITLE):
        page.delete()
    get_user_model().objects.filter(username__in=["nav-redaction", "nav-relecture"]).delete()
    return True


@pytest.fixture(scope="module")
def staff_accounts(production_server, django_db_blocker):
    with django_db_blocker.unblock():
        accounts = in_thread(create_accounts)
    yield accounts
    with django_db_blocker.unblock():
        in_thread(remove_accounts)


def log_in(page, base, username):
    page.goto(f"{base}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    # The dashboard: Wagtail 8 titles it with the site name; our panel « Mes brouillons »
    # says the home panels of issue 13 are there.
    expect(page.locator("#my-drafts-heading")).to_contain_text("Mes brouillons",
                                                               timeout=30_000)


def test_editor_submits_reviewer_approves_public_page_shows_it(production_server, browser,
                                                               staff_accounts):
    base = production_server
    context = browser.new_context(viewport={"width": 1280, "height": 1000}, locale="fr-FR")
    page = context.new_page()
    page.set_default_timeout(30_000)
    log_in(page, base, "nav-redaction")
    page.goto(f"{base}/admin/pages/add/projects/projectpage/{staff_accounts['faad']}/")
    page.fill("#id_title", TITLE)
    page.fill("#id_summary", "Une épicerie qui se déplace dans les communes du Denaisis.")
    page.fill("#id_territory_paste", "59491\n59172")

    page.get_by_role("button", name=re.compile("Ajouter un chiffre")).click()
    figure = page.locator("#id_indicator_values-FORMS > [id^='inline_child_indicator_values']"
                          ).last
    figure.get_by_role("button", name=re.compile("Choisir")).first.click()
    modal = page.locator(".modal-dialog")
    modal.get_by_role("textbox").first.fill("Bénéficiaires")
    modal.get_by_role("link", name=re.compile("Bénéficiaires de l.aide alimentaire")).click()
    expect(modal).to_be_hidden()
    figure.locator("input[name$='-value']").fill("120")

    page.get_by_role("button", name=re.compile("Ajouter un contact")).click()
    contact = page.locator("#id_contacts-FORMS > [id^='inline_child_contacts']").last
    contact.locator("input[name$='-role']").fill("Accueil de l'épicerie")
    contact.locator("input[name$='-email']").fill("contact@epicerie-itinerante.example.org")

    page.locator("footer [data-w-dropdown-target='toggle'], footer .dropdown-toggle").last.click()
    page.locator("button[name='action-submit']").click()
    expect(page.locator(".messages")).to_contain_text("soumise", timeout=60_000)
    context.close()

    context = browser.new_context(viewport={"width": 1280, "height": 1000}, locale="fr-FR")
    page = context.new_page()
    page.set_default_timeout(30_000)
    log_in(page, base, "nav-relecture")
    # Wagtail 8's « En attente de votre vérification » panel: the row's actions are in its
    # « Actions » menu.
    row = page.locator("#awaiting-review-section tr", has_text=TITLE)
    expect(row).to_be_visible()
    row.get_by_role("button", name="Actions").click()
    row.get_by_role("button", name="Approuver", exact=True).click()
    # The dashboard reloads without the page: nothing waits for review any more.
    expect(row).to_have_count(0, timeout=60_000)
    context.close()

    context = browser.new_context(locale="fr-FR")
    page = context.new_page()
    page.goto(f"{base}/projets/?programme=faad&q=itinerante")
    link = page.get_by_role("link", name=re.compile("Épicerie itinérante de la Porte"))
    expect(link.first).to_be_visible(timeout=30_000)
    link.first.click()
    expect(page.locator("h1")).to_contain_text("Épicerie itinérante")
    expect(page.locator("#project-map-table")).to_contain_text("Raismes")
    expect(page.locator("#project-map-table")).to_contain_text("2 communes")
    context.close()
