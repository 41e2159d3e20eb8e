"""Consent as a record: named persons' details are published only with a basis; the seed's
contacts carry « publié dans le document source »; staff can erase a person everywhere."""

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from wagtail.models import Revision

from projects import consent
from projects.models import ProjectContact, ProjectPage
from projects.services import erasure

pytestmark = [pytest.mark.django_db]


def test_every_seed_contact_records_its_source_document():
    contacts = ProjectContact.objects.select_related("project", "consent_document")
    # 14: the FAAD brochure's only address is its programme team's (issue 14), not a project's
    assert contacts.count() == 14
    for contact in contacts:
        assert contact.consent_basis == consent.PUBLIC_DOCUMENT
        assert contact.consent_document_id == contact.project.source_document_id is not None
        assert contact.basis_is_recorded


def test_the_project_page_says_where_the_details_were_published(client):
    contact = ProjectContact.objects.filter(publish=True).exclude(email="").select_related(
        "project", "consent_document").first()
    html = client.get(contact.project.url).content.decode()
    assert contact.email in html
    assert f"Coordonnées publiées dans {contact.consent_document.title}" in html


@pytest.mark.parametrize("email, generic", [
    ("contact@ville.fr", True), ("accueil.pmi@cd59.fr", True), ("service-prevention@x.fr", True),
    ("delphine.parent@agglo.fr", False), ("ajendrzezak@agglo-porteduhainaut.fr", False),
    ("", False)])
def test_role_addresses(email, generic):
    assert consent.is_role_address(email) is generic


def _contact(page, **fields):
    values = {"name": "Jeanne Martin", "role": "Chargée de mission",
              "email": "jeanne.martin@asso.fr", "phone": "06 12 34 56 78", "publish": True}
    values |= fields
    return ProjectContact.objects.create(project=page, **values)


def test_without_a_basis_a_named_person_shows_only_role_and_a_generic_address(client):
    page = ProjectPage.objects.live().get(slug="1000-jours-pour-savourer-la-vie")
    _contact(page)
    _contact(page, name="Paul Durand", email="contact@asso-durand.fr", phone="03 20 00 00 00")
    views = {v.email or v.role: v for v in ProjectPage.objects.get(pk=page.pk).published_contacts}
    hidden = next(v for v in views.values() if v.role == "Chargée de mission" and not v.email
                  and not v.phone)
    assert hidden.name == "" and hidden.basis_text == ""
    generic = views["contact@asso-durand.fr"]
    assert generic.name == "" and generic.phone == ""
    html = client.get(page.url).content.decode()
    for secret in ("Jeanne Martin", "jeanne.martin@asso.fr", "06 12 34 56 78", "Paul Durand",
                   "03 20 00 00 00"):
        assert secret not in html
    assert "contact@asso-durand.fr" in html
    csv = client.get("/projets/export.csv?q=savourer").content.decode("utf-8-sig")
    api = client.get("/api/projets/").content.decode()
    for secret in ("Jeanne Martin", "jeanne.martin@asso.fr", "06 12 34 56 78"):
        assert secret not in csv and secret not in api


def test_a_collected_consent_needs_date_and_collector_then_publishes(client):
    page = ProjectPage.objects.live().get(slug="1000-jours-pour-savourer-la-vie")
    contact = _contact(page, consent_basis=consent.COLLECTED)
    with pytest.raises(ValidationError) as error:
        contact.full_clean()
    assert {"consent_date", "consent_collected_by"} <= set(error.value.message_dict)
    contact.consent_date = datetime.date(2026, 3, 2)
    contact.consent_collected_by = "Agent DREETS"
    contact.full_clean()
    contact.save()
    html = client.get(page.url).content.decode()
    assert "Jeanne Martin" in html and "jeanne.martin@asso.fr" in html
    assert "avec l’accord de la personne (02/03/2026)" in html


def test_a_public_document_basis_needs_the_document():
    page = ProjectPage.objects.live().get(slug="1000-jours-pour-savourer-la-vie")
    contact = _contact(page, consent_basis=consent.PUBLIC_DOCUMENT)
    with pytest.raises(ValidationError) as error:
        contact.full_clean()
    assert "consent_document" in error.value.message_dict
    assert contact.public_view().name == ""  # incomplete basis: not published


def test_erasure_removes_the_person_from_contacts_and_revisions(client):
    contact = ProjectContact.objects.exclude(email="").select_related("project").first()
    page = contact.project.specific
    page.save_revision()  # a draft revision holding the contact too
    email = contact.email
    holding = [r for r in Revision.objects.filter(object_id=str(page.pk))
               if any(e.get("email") == email for e in r.content.get("contacts", []))]
    assert len(holding) >= 2
    out = io.StringIO()
    call_command("erase_person", email=email.upper(), stdout=out)  # dry run
    assert "à effacer" in out.getvalue() and ProjectContact.objects.filter(pk=contact.pk).exists()
    found = erasure.erase(erasure.Person(email=email.upper()), by="test")
    assert contact.pk in {c.pk for c in found.contacts}
    assert not ProjectContact.objects.filter(email__iexact=email).exists()
    for revision in Revision.objects.all():
        assert email not in str(revision.content)
    assert email not in client.get(page.url).content.decode()


def test_staff_erase_from_the_admin(staff_client):
    contact = ProjectContact.objects.exclude(name="").select_related("project").first()
    preview = staff_client.get("/admin/donnees-personnelles/effacer/", {"name": contact.name})
    html = preview.content.decode()
    assert preview.status_code == 200
    assert "Effacer les coordonnées d’une personne" in html and contact.project.title in html
    answer = staff_client.post("/admin/donnees-personnelles/effacer/", {"name": contact.name})
    assert answer.status_code == 302
    assert not ProjectContact.objects.filter(pk=contact.pk).exists()
