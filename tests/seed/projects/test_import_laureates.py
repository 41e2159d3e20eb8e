"""Importing a call's laureates from a spreadsheet: CSV and XLSX as staff write them,
idempotent re-runs, updates through new revisions, all-or-nothing refusal with the exact
lines and columns, the command, and the admin pages (upload, preview, confirm, templates)."""

import datetime
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from openpyxl import Workbook
from wagtail.models import Page, Revision

from indicators.services.import_values import plan_values
from maps.services.reports import ImportRejected
from projects.admin_imports import TEMPLATE_DIR
from projects.models import (
    HomePage,
    Organisation,
    ProgrammeAxis,
    ProgrammeOrganisation,
    ProgrammePage,
    ProjectPage,
    Theme,
)
from projects.services.import_laureates import import_laureates, plan_laureates

pytestmark = pytest.mark.django_db
URL = "/admin/imports/laureats/"

HEADER = ("numero_dossier;intitule;porteur;porteur_siren;partenaires;financeurs;territoires;"
          "annee_appel;axes;publics;thematiques;date_debut;date_fin;montant_accorde;resume;"
          "contact_nom;contact_email;contact_telephone;contact_publication")


@pytest.fixture
def programme():
    home = HomePage.objects.first()
    page = home.add_child(instance=ProgrammePage(title="Appel de test", slug="appel-de-test"))
    ProgrammeAxis.objects.create(programme=page, code="axe-1", label="Alliances locales")
    funder = Organisation.objects.create(key="financeur-test", name="Financeur de test")
    ProgrammeOrganisation.objects.create(programme=page, organisation=funder, role="funder")
    Theme.objects.get_or_create(code="theme-import-test", defaults={"label": "Cuisine test"})
    return page


def row(number, **values):
    cells = {
        "numero_dossier": number, "intitule": f"Projet {number}", "porteur": "Asso Test",
        "porteur_siren": "", "partenaires": "", "financeurs": "", "territoires": "Lens",
        "annee_appel": "2025", "axes": "", "publics": "", "thematiques": "",
        "date_debut": "", "date_fin": "", "montant_accorde": "", "resume": "",
        "contact_nom": "", "contact_email": "", "contact_telephone": "",
        "contact_publication": "",
    }
    cells.update(values)
    return ";".join(f'"{v}"' if ";" in v else v for v in cells.values())


def csv_bytes(*rows, encoding="utf-8-sig"):
    return ("\n".join([HEADER, *rows]) + "\n").encode(encoding)


MIXED = [
    row("AAP25-001", intitule="Épicerie itinérante du Ternois", porteur="Asso Épi Mobile",
        porteur_siren="123 456 789 00012", territoires="CC du Ternois", axes="axe-1",
        thematiques="Cuisine test", date_debut="17/03/2025", date_fin="2026-03-16",
        montant_accorde="12 500 €", contact_nom="Camille Martin",
        contact_email="camille@example.org", contact_publication="oui"),
    row("AAP25-002", intitule="Ateliers cuisine", territoires="02691;Lens",
        financeurs="Fondation Test", montant_accorde="8 000,50 €", date_debut="2025-09-01",
        axes="Alliances locales", publics="Familles"),
    row("AAP25-003", intitule="Jardin partagé", territoires="CA Douaisis Agglo",
        montant_accorde="3000", partenaires="Mairie de Douai;Centre social"),
]


def run(raw, name, programme, **options):
    plan = plan_laureates(raw, name, programme)
    assert not plan.problems, plan.problems.errors
    return import_laureates(plan, **options)


def test_a_csv_imports_then_changes_nothing_then_updates_one_amount(programme):
    report = run(csv_bytes(*MIXED), "laureats.csv", programme)
    assert (report.created, report.updated, report.unchanged) == (3, 0, 0)
    pages = {p.dossier_number: p for p in ProjectPage.objects.child_of(programme)}
    first = pages["AAP25-001"].get_latest_revision_as_object()
    assert not pages["AAP25-001"].live  # a draft, for review
    assert first.title == "Épicerie itinérante du Ternois" and first.call_year == 2025
    assert first.start_date == datetime.date(2025, 3, 17)
    carrier = first.organisation_roles.all()[0].organisation
    assert (carrier.name, carrier.siren) == ("Asso Épi Mobile", "123456789")
    funder = [r for r in first.organisation_roles.all() if r.role == "funder"][0]
    assert funder.organisation.key == "financeur-test" and funder.amount_eur == 12500
    assert [t.territory.code for t in first.territory_links.all()] == ["200069672"]
    contact = first.contacts.all()[0]
    assert contact.publish and contact.email == "camille@example.org"
    second = pages["AAP25-002"].get_latest_revision_as_object()
    assert [t.territory.code for t in second.territory_links.all()] == ["02691", "62498"]
    assert [r.amount_eur for r in second.organisation_roles.all() if r.role == "funder"] == [
        pytest.approx(8000.50)]
    assert [a.code for a in second.axes.all()] == ["axe-1"]

    again = plan_laureates(csv_bytes(*MIXED), "laureats.csv", programme)
    assert again.report().summary() == "0 créé, 0 mis à jour, 3 inchangés"
    revisions = Revision.objects.count()
    assert import_laureates(again).summary() == "0 créé, 0 mis à jour, 3 inchangés"
    assert Revision.objects.count() == revisions

    changed = [MIXED[0].replace("12 500 €", "13 000 €"), *MIXED[1:]]
    report = run(csv_bytes(*changed), "laureats.csv", programme)
    assert (report.created, report.updated, report.unchanged) == (1 - 1, 1, 2)
    assert Revision.objects.count() == revisions + 1
    page = ProjectPage.objects.get(pk=pages["AAP25-001"].pk).get_latest_revision_as_object()
    assert [r.amount_eur for r in page.organisation_roles.all() if r.role == "funder"] == [13000]

    shorter = plan_laureates(csv_bytes(*changed[:2]), "laureats.csv", programme)
    assert [p.dossier_number for p in shorter.missing] == ["AAP25-003"]  # reported, kept
    import_laureates(shorter)
    assert ProjectPage.objects.child_of(programme).count() == 3


def test_an_xlsx_with_date_and_number_cells_imports_like_the_csv(programme):
    book = Workbook()
    sheet = book.active
    sheet.append(["Numéro dossier", "Intitulé", "Porteur", "Porteur SIREN", "Territoires",
                  "Année appel", "Date début", "Date fin", "Montant accordé", "Financeurs",
                  "Colonne libre"])
    sheet.append([2025001, "Paniers solidaires", "Asso Paniers", 123456789, "02691",
                  2025, datetime.datetime(2025, 3, 17), "31/12/2025", 12500.5, "Fondation X",
                  "note"])
    sheet.append(["2025002", "Cuisine mobile", "Asso Cuisine", "", "Lens\nCC du Ternois",
                  "2025", datetime.date(2025, 4, 1), None, "12 500 €", "", ""])
    path = "laureats.xlsx"
    from io import BytesIO

    buffer = BytesIO()
    book.save(buffer)
    plan = plan_laureates(buffer.getvalue(), path, programme)
    assert not plan.problems, plan.problems.errors
    assert any("Colonne libre" in note for note in plan.problems.notes)
    import_laureates(plan, publish=True)
    first = ProjectPage.objects.child_of(programme).get(dossier_number="2025001")
    assert first.live and first.start_date == datetime.date(2025, 3, 17)
    assert first.end_date == datetime.date(2025, 12, 31)
    assert [t.territory.code for t in first.territory_links.all()] == ["02691"]
    assert first.coverage.count() == 1  # published: coverage rebuilt
    second = ProjectPage.objects.child_of(programme).get(dossier_number="2025002")
    assert {t.territory.code for t in second.territory_links.all()} == {"62498", "200069672"}
    assert second.funders[0].amount_eur == 12500
    assert plan_laureates(buffer.getvalue(), path, programme).report().unchanged == 2


def test_three_bad_rows_among_twelve_write_nothing_and_are_reported_exactly(programme):
    rows = [row(f"AAP-{n:02d}") for n in range(1, 13)]
    rows[2] = row("AAP-03", porteur_siren="12345678")  # line 4
    rows[5] = row("AAP-06", date_debut="01/06/2025", date_fin="01/01/2025")  # line 7
    rows[9] = row("AAP-10", territoires="Lens;Villeinconnue-sur-Mer")  # line 11
    counts = (Page.objects.count(), Revision.objects.count(), Organisation.objects.count())
    plan = plan_laureates(csv_bytes(*rows), "laureats.csv", programme)
    errors = plan.problems.errors
    assert len(errors) == 3, errors
    assert errors[0].startswith("laureats.csv, ligne 4, colonne « porteur_siren » : ")
    assert errors[1].startswith("laureats.csv, ligne 7, colonne « date_fin » : ")
    assert errors[2].startswith("laureats.csv, ligne 11, colonne « territoires » : ")
    assert "Villeinconnue-sur-Mer" in errors[2]
    with pytest.raises(ImportRejected):
        import_laureates(plan)
    assert (Page.objects.count(), Revision.objects.count(),
            Organisation.objects.count()) == counts


def test_an_ambiguous_name_lists_the_candidates(programme):
    plan = plan_laureates(csv_bytes(row("A-1", territoires="Senlis")), "l.csv", programme)
    (error,) = plan.problems.errors
    assert "ambigu" in error and "60612" in error and "62790" in error


def test_a_loose_name_with_an_exact_homonym_lists_the_candidates(programme):
    """« st amand » is Saint-Amand-les-Eaux in the public search, but the village of
    Saint-Amand (Pas-de-Calais) carries the name exactly: an import refuses to guess."""
    plan = plan_laureates(csv_bytes(row("A-1", territoires="st amand")), "l.csv", programme)
    (error,) = plan.problems.errors
    assert error.startswith("l.csv, ligne 2, colonne « territoires » : ")
    assert "ambigu" in error and "59526" in error and "62741" in error


def test_windows_1252_headers_as_people_write_them_and_a_duplicate_number(programme):
    header = ("Numéro dossier;INTITULE;Porteur;Territoires;Année-appel;Date début;"
              "Montant accordé;Financeurs")
    body = "D-1;Café des parents;Asso Été;Lens;2025;01/02/2025;1 500 €;Ville\n"
    body += "D-1;Autre;Asso;Lens;2025;;;\n"
    plan = plan_laureates((header + "\n" + body).encode("cp1252"), "l.csv", programme)
    assert any("Windows-1252" in note for note in plan.problems.notes)
    (error,) = plan.problems.errors
    assert error.startswith("l.csv, ligne 3, colonne « Numéro dossier » : ")
    assert plan.rows[0].values["porteur"][0] == "Asso Été"


def test_missing_columns_and_unknown_format_are_refused(programme):
    plan = plan_laureates(b"intitule;porteur\nA;B\n", "l.csv", programme)
    assert "numero_dossier" in plan.problems.errors[0]
    plan = plan_laureates(b"whatever", "l.ods", programme)
    assert ".csv" in plan.problems.errors[0]
    plan = plan_laureates(b"not a zip", "l.xlsx", programme)
    assert "XLSX" in plan.problems.errors[0]


def test_the_command_dry_runs_imports_and_refuses(programme, tmp_path, capsys):
    path = tmp_path / "laureats.csv"
    path.write_bytes(csv_bytes(*MIXED))
    call_command("import_projects", str(path), "--programme", programme.slug, "--dry-run")
    out = capsys.readouterr().out
    assert "3 créés" in out and "rien n'a été écrit" in out.lower()
    assert not ProjectPage.objects.child_of(programme).exists()
    call_command("import_projects", str(path), "--programme", programme.slug, "--publish")
    out = capsys.readouterr().out
    assert "3/3" in out and "3 créés, 0 mis à jour, 0 inchangé" in out
    assert ProjectPage.objects.child_of(programme).live().count() == 3
    path.write_bytes(csv_bytes(row("X-1", annee_appel="deux mille")))
    with pytest.raises(CommandError, match="rien n'a été écrit"):
        call_command("import_projects", str(path), "--programme", programme.slug)
    assert "ligne 2, colonne « annee_appel »" in capsys.readouterr().out
    with pytest.raises(CommandError, match="inconnu"):
        call_command("import_projects", str(path), "--programme", "nope")


# --------------------------------------------------------------------------- admin
def test_upload_preview_confirm(staff_client, programme):
    explorer = staff_client.get(f"/admin/pages/{programme.pk}/").content.decode()
    assert f"{URL}?programme={programme.slug}" in explorer
    page = staff_client.get(URL, {"programme": programme.slug})
    html = page.content.decode()
    assert page.status_code == 200 and "Importer des lauréats" in html
    assert "modele-laureats.xlsx" in html and "Publier les pages" in html
    upload = SimpleUploadedFile("laureats.csv", csv_bytes(*MIXED))
    preview = staff_client.post(URL, {"programme": programme.pk, "file": upload})
    html = preview.content.decode()
    assert preview.status_code == 200
    assert "3 créés, 0 mis à jour, 0 inchangé" in html and "AAP25-001" in html
    assert not ProjectPage.objects.child_of(programme).exists()  # a preview writes nothing
    done = staff_client.post(URL, {"confirm": "1"})
    assert done.status_code == 302
    assert ProjectPage.objects.child_of(programme).count() == 3
    again = staff_client.post(URL, {"confirm": "1"}, follow=True)
    assert "Rien à importer" in again.content.decode()


def test_a_bad_file_shows_every_problem_and_no_confirm_button(staff_client, programme):
    upload = SimpleUploadedFile("l.csv", csv_bytes(row("A-1", territoires="Nullepart-les-Bains"),
                                                   row("A-2", annee_appel="1850")))
    html = staff_client.post(URL, {"programme": programme.pk, "file": upload}).content.decode()
    assert "Import refusé : 2 problèmes" in html
    assert "l.csv, ligne 2, colonne « territoires »" in html
    assert "l.csv, ligne 3, colonne « annee_appel »" in html
    assert 'name="confirm"' not in html


def test_templates_download_and_import_without_problem(staff_client, programme):
    for name in ("modele-laureats.csv", "modele-laureats.xlsx"):
        response = staff_client.get(f"{URL}{name}")
        assert response.status_code == 200
        content = b"".join(response.streaming_content)
        plan = plan_laureates(content, name, programme)
        assert not plan.problems, plan.problems.errors
        assert len(plan.rows) == 2
    assert staff_client.get(f"{URL}secret.txt").status_code == 404
    page = staff_client.get("/admin/imports/valeurs-indicateurs/")
    assert page.status_code == 200 and "Importer des valeurs" in page.content.decode()
    for name in ("modele-valeurs-indicateurs.csv", "modele-valeurs-indicateurs.xlsx"):
        plan = plan_values((TEMPLATE_DIR / name).read_bytes(), name, programme)
        # The template's rows name example projects: only those references are refused.
        assert all("colonne « numero_dossier »" in e or "colonne « projet »" in e
                   for e in plan.problems.errors), plan.problems.errors
    assert Path(TEMPLATE_DIR / "modele-laureats.csv").read_text().startswith("numero_dossier;")
