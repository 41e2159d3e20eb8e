"""The catalogue loaded from the five source documents: counts, facts on the rendered pages,
idempotency and all-or-nothing validation of the seed import."""

import shutil

import pytest

from maps.models import Scale
from portal.seeding import SeedRejected, load_seed
from projects.models import Organisation, ProgrammePage, ProjectPage
from projects.services.seed_files import SEED_DIR

pytestmark = pytest.mark.django_db


def page_text(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return " ".join(response.content.decode().split())


def project(slug):
    return ProjectPage.objects.live().get(slug=slug)


def test_three_programmes_with_their_slugs():
    slugs = set(ProgrammePage.objects.live().values_list("slug", flat=True))
    assert slugs == {"1000-premiers-jours", "sante-des-femmes-bassin-minier", "faad"}


def test_project_counts_per_programme():
    counts = {
        p.slug: ProjectPage.objects.live().filter(programme=p).count()
        for p in ProgrammePage.objects.all()
    }
    assert counts["sante-des-femmes-bassin-minier"] == 9
    assert counts["faad"] == 28
    # 000 + 001 + the example laureates of 002
    assert counts["1000-premiers-jours"] >= 2 + 20


def test_every_project_has_a_carrier_and_a_source_document():
    without_carrier = set(
        ProjectPage.objects.live()
        .exclude(organisation_roles__role="carrier")
        .values_list("slug", flat=True)
    )
    # 002 names no carrier for the Laval example (recorded in fixtures/README.md).
    assert without_carrier == {"laval-sensibilisation-1000-premiers-jours"}
    assert not ProjectPage.objects.live().filter(source_document__isnull=True).exists()


def test_porte_du_hainaut_project_page_000(client):
    page = project("1000-jours-pour-savourer-la-vie")
    assert page.get_parent().slug == "1000-premiers-jours"
    assert page.territory_links.get().territory.code == "200042190"
    assert page.coverage.count() == 47
    html = page_text(client, page.url)
    assert "Communauté d'agglomération de la Porte du Hainaut" in html or "Porte du Hainaut" in html
    for place in (
        "Médiathèque",
        "Maison des 1000 Premiers Jours",
        "Maison des Projets",
        "Espace Jean Ferrat",
    ):
        assert place in html
    assert "17 mars 2026" in html and "14h00–16h00" in html and "09h30–11h30" in html
    assert "80" in html and "ajendrzezak@agglo-porteduhainaut.fr" in html
    funders = {r.organisation.key for r in page.funders}
    assert {"ars-hdf", "draaf-hdf", "ademe"} <= funders


def test_jette_project_is_abroad_001(client):
    page = project("1000-jours-pour-mon-enfant-jette")
    territory = page.territory_links.get().territory
    assert territory.scale == Scale.FOREIGN and territory.country == "Belgique"
    assert page.coverage.count() == 0
    assert "Jette" in page_text(client, page.url)


def test_bassin_minier_programme_003(client):
    programme = ProgrammePage.objects.get(slug="sante-des-femmes-bassin-minier")
    assert [a.code for a in programme.axes.all()] == ["axe-1", "axe-2", "axe-3"]
    html = page_text(client, programme.url)
    assert "300 000" in html and "426 229" in html
    wingles = project("sante-des-femmes-bassin-minier-wingles")
    codes = {link.territory.code for link in wingles.territory_links.all()}
    assert "62895" in codes


def test_contacts_are_shown_only_with_consent(client):
    page = project("1000-jours-pour-savourer-la-vie")
    contact = page.contacts.first()
    assert contact.publish
    contact.publish = False
    contact.save()
    html = page_text(client, page.url)
    assert contact.email not in html


def test_loading_the_seed_twice_creates_nothing_new():
    reports = load_seed()
    for report in reports:
        assert (report.created, report.updated) == (0, 0), str(report)
        assert report.unchanged > 0


def test_an_invalid_seed_file_is_rejected_with_line_and_field_and_writes_nothing(tmp_path):
    for path in SEED_DIR.glob("*.yaml"):
        shutil.copy(path, tmp_path / path.name)
    source = (tmp_path / "000-porte-du-hainaut.yaml").read_text()
    broken = source.replace(
        '{scale: epci, code: "200042190"}', '{scale: epci, code: "999999999"}', 1
    )
    broken = broken.replace('end_time: "16:00"', 'end_time: "16h61"', 1)
    assert broken != source
    (tmp_path / "000-porte-du-hainaut.yaml").write_text(broken)
    (tmp_path / "zz-new.yaml").write_text(
        "organisations:\n  - {key: nouvelle-asso, name: Nouvelle association, kind: association}\n"
    )
    before = (Organisation.objects.count(), ProjectPage.objects.count())
    with pytest.raises(SeedRejected) as error:
        load_seed(tmp_path)
    message = str(error.value)
    assert "000-porte-du-hainaut.yaml, ligne" in message
    assert "999999999" in message and "« territories »" in message
    assert "16h61" in message
    assert (Organisation.objects.count(), ProjectPage.objects.count()) == before
    assert not Organisation.objects.filter(key="nouvelle-asso").exists()


def test_a_changed_seed_record_updates_the_page_through_a_new_revision(tmp_path):
    for path in SEED_DIR.glob("*.yaml"):
        shutil.copy(path, tmp_path / path.name)
    page = project("1000-jours-pour-savourer-la-vie")
    revisions = page.revisions.count()
    text = (tmp_path / "000-porte-du-hainaut.yaml").read_text()
    (tmp_path / "000-porte-du-hainaut.yaml").write_text(
        text.replace(
            'title: "1 000 jours pour savourer la vie"',
            'title: "1 000 jours pour savourer la vie (édition 2026)"',
            1,
        )
    )
    reports = load_seed(tmp_path)
    assert sum(r.updated for r in reports) == 1
    page.refresh_from_db()
    assert page.title.endswith("(édition 2026)")
    assert page.revisions.count() == revisions + 1


def test_project_page_validation_rejects_end_before_start():
    from django.core.exceptions import ValidationError

    page = project("1000-jours-pour-savourer-la-vie")
    page.end_date = page.start_date.replace(year=page.start_date.year - 1)
    with pytest.raises(ValidationError, match="end"):
        page.full_clean()


def test_staff_edit_a_project_in_the_admin(staff_client):
    page = project("1000-jours-pour-savourer-la-vie")
    response = staff_client.get(f"/admin/pages/{page.pk}/edit/")
    assert response.status_code == 200
    html = response.content.decode()
    for label in ("Porteur", "Territoires couverts", "Chiffres clés", "Événements", "Contacts"):
        assert label in html, label


def test_territory_chooser_finds_st_amand(staff_client):
    response = staff_client.get("/admin/snippets/choose/maps/territory/", {"q": "st amand"})
    assert response.status_code == 200
    assert "Saint-Amand-les-Eaux" in response.content.decode()
