"""Two app servers on production settings share the PostgreSQL database (each with its own
local cache, the harder case: nothing but the database tells a server that the data
changed). A page published through the admin of server A is visible at once on server B:
its page and the listing B had cached (issue 12).

The account and the project are committed from a thread of their own (the servers read the
database) and removed at the end. No browser: plain HTTP, as a load balancer would send it."""

import pytest
import requests
from wagtail.test.utils.form_data import querydict_from_html

from tests.seed.browser.conftest import gunicorn
from tests.seed.browser.helpers import PASSWORD, in_thread, production_password

USERNAME = "deux-serveurs"
BEFORE = "Jardin quadrilatère des deux serveurs"
AFTER = "Jardin quadrilatère des deux serveurs, publié sur A"
LISTING = "/projets/?programme=faad&q=quadrilatere"


def create_project():
    from django.contrib.auth import get_user_model

    from maps.models import Territory
    from projects.models import ProgrammePage, ProjectPage, ProjectTerritory
    from projects.services.bulk import index_written

    get_user_model().objects.create(username=USERNAME, email="a@example.org", is_staff=True,
                                    is_superuser=True, password=production_password())
    faad = ProgrammePage.objects.get(slug="faad")
    page = faad.add_child(instance=ProjectPage(title=BEFORE, slug="jardin-deux-serveurs",
                                               summary="Un jardin de test."))
    ProjectTerritory.objects.create(project=page,
                                    territory=Territory.objects.get(scale="commune", code="59491"))
    page.save_revision().publish()
    index_written([page])  # the test settings do not index on save; production does
    return {"pk": page.pk, "url": page.url}


def remove_project():
    from django.contrib.auth import get_user_model

    from projects.models import ProjectPage

    ProjectPage.objects.filter(slug="jardin-deux-serveurs").delete()
    get_user_model().objects.filter(username=USERNAME).delete()
    return True


@pytest.fixture(scope="module")
def project(production_server, django_db_blocker):
    with django_db_blocker.unblock():
        created = in_thread(create_project)
    yield created
    with django_db_blocker.unblock():
        in_thread(remove_project)


@pytest.fixture(scope="module")
def server_b(production_env, tmp_path_factory):
    with gunicorn(production_env, tmp_path_factory.mktemp("server-b") / "gunicorn.log",
                  workers=1) as url:
        yield url


def logged_in(base: str) -> requests.Session:
    session = requests.Session()
    session.get(f"{base}/admin/login/", timeout=60)
    answer = session.post(f"{base}/admin/login/", timeout=60, data={
        "username": USERNAME, "password": PASSWORD,
        "csrfmiddlewaretoken": session.cookies["csrftoken"]})
    assert answer.url.rstrip("/").endswith("/admin"), answer.url  # the dashboard
    return session


def test_a_publish_on_one_server_is_visible_on_the_other_at_once(production_server, server_b,
                                                                project):
    page_url = project["url"]
    assert BEFORE in requests.get(server_b + page_url, timeout=60).text
    requests.get(server_b + LISTING, timeout=60)
    cached = requests.get(server_b + LISTING, timeout=60)
    assert cached.headers.get("X-Page-Cache") == "hit" and BEFORE in cached.text

    admin = logged_in(production_server)
    edit = f"{production_server}/admin/pages/{project['pk']}/edit/"
    form = querydict_from_html(admin.get(edit, timeout=60).text, form_id="page-edit-form")
    form["title"] = AFTER
    form["action-publish"] = "action-publish"
    form["csrfmiddlewaretoken"] = admin.cookies["csrftoken"]  # not among the form's fields
    answer = admin.post(edit, data=[(k, v) for k, values in form.lists() for v in values],
                        allow_redirects=False, timeout=60)
    assert answer.status_code == 302, answer.text[:3000]

    page = requests.get(server_b + page_url, timeout=60)
    assert page.status_code == 200 and AFTER in page.text
    listing = requests.get(server_b + LISTING, timeout=60)
    assert listing.headers.get("X-Page-Cache") == "miss" and AFTER in listing.text
