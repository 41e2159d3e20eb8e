"""Importing a year's indicator reports: values arrive « déclaré » through a new revision of
each project, idempotently; bad rows are refused all together with their line and column."""

import datetime
from io import BytesIO

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook
from wagtail.models import Revision

from indicators.models import IndicatorDefinition, IndicatorValue, Measure
from indicators.services.import_values import import_values, plan_values
from maps.models import Scale, Territory
from projects.models import HomePage, ProgrammePage, ProjectPage, ProjectTerritory

pytestmark = pytest.mark.django_db

HEADER = "numero_dossier;projet;indicateur;annee;periode_debut;periode_fin;valeur;cible;" \
         "commentaire;source"


@pytest.fixture
def programme():
    home = HomePage.objects.first()
    page = home.add_child(instance=ProgrammePage(title="Appel valeurs", slug="appel-valeurs"))
    lens = Territory.objects.get(scale=Scale.COMMUNE, code="62498")
    for number, slug in (("V-1", "projet-valeurs-un"), ("V-2", "projet-valeurs-deux")):
        project = ProjectPage(title=slug, slug=slug, dossier_number=number)
        project.territory_links = [ProjectTerritory(territory=lens)]
        page.add_child(instance=project)
        project.save_revision().publish()
    IndicatorDefinition.objects.create(code="repas-test", label="Repas servis (test)",
                                       measure=Measure.COUNT, aggregation="sum")
    IndicatorDefinition.objects.create(code="taux-test", label="Taux de test",
                                       measure=Measure.PERCENT, aggregation="none")
    return page


ROWS = [
    "V-1;;repas-test;2025;;;1 250;1 500;Bilan annuel;Rapport 2025",
    ";projet-valeurs-deux;Repas servis (test);;01/01/2025;30/06/2025;300;;;",
    "V-2;;taux-test;2025;;;42,5;;;",
]


def csv_bytes(*rows):
    return ("\n".join([HEADER, *rows]) + "\n").encode()


def values(slug):
    return ProjectPage.objects.get(slug=slug).indicator_values.order_by("period_start", "pk")


def test_values_arrive_declared_then_nothing_changes_then_one_update(programme):
    plan = plan_values(csv_bytes(*ROWS), "valeurs.csv", programme)
    assert not plan.problems, plan.problems.errors
    report = import_values(plan)
    assert report.summary() == "3 créés, 0 mis à jour, 0 inchangé"
    (first,) = values("projet-valeurs-un")
    assert (first.value, first.target, first.status) == (1250, 1500, "declared")
    assert (first.period_start, first.period_end) == (datetime.date(2025, 1, 1),
                                                      datetime.date(2025, 12, 31))
    assert first.comment == "Bilan annuel" and first.source_note == "Rapport 2025"
    assert values("projet-valeurs-deux").count() == 2

    revisions = Revision.objects.count()
    again = plan_values(csv_bytes(*ROWS), "valeurs.csv", programme)
    assert import_values(again).summary() == "0 créé, 0 mis à jour, 3 inchangés"
    assert Revision.objects.count() == revisions

    IndicatorValue.objects.filter(pk=first.pk).update(status="validated")
    changed = [ROWS[0].replace("1 250", "1 300"), *ROWS[1:]]
    report = import_values(plan_values(csv_bytes(*changed), "valeurs.csv", programme))
    assert (report.created, report.updated, report.unchanged) == (0, 1, 2)
    assert Revision.objects.count() == revisions + 1
    (first,) = values("projet-valeurs-un")
    assert (first.value, first.status) == (1300, "declared")  # a new declaration


def test_bad_rows_are_all_reported_and_nothing_is_written(programme):
    rows = [*ROWS, "V-9;;repas-test;2025;;;1;;;", "V-1;;inconnu;2025;;;1;;;",
            "V-2;;taux-test;2024;;;150;;;", "V-1;;repas-test;2024;;;-3;;;",
            "V-1;;repas-test;;;;5;;;"]
    before = (IndicatorValue.objects.count(), Revision.objects.count())
    plan = plan_values(csv_bytes(*rows), "valeurs.csv", programme)
    errors = plan.problems.errors
    assert [e.split(" : ")[0] for e in errors] == [
        "valeurs.csv, ligne 5, colonne « numero_dossier »",
        "valeurs.csv, ligne 6, colonne « indicateur »",
        "valeurs.csv, ligne 7, colonne « valeur »",
        "valeurs.csv, ligne 8, colonne « valeur »",
        "valeurs.csv, ligne 9, colonne « annee »",
    ], errors
    assert "100" in errors[2]
    with pytest.raises(Exception, match="ligne 5"):
        import_values(plan)
    assert (IndicatorValue.objects.count(), Revision.objects.count()) == before


def test_an_xlsx_report_and_the_command(programme, tmp_path, capsys):
    book = Workbook()
    book.active.title = "Notes"
    sheet = book.create_sheet("Bilan 2025")
    sheet.append(["Numéro dossier", "Indicateur", "Année", "Valeur"])
    sheet.append(["V-1", "repas-test", 2025, 980])
    path = tmp_path / "bilan.xlsx"
    book.save(path)
    with pytest.raises(CommandError):
        call_command("import_indicator_values", str(path), "--programme", programme.slug)
    call_command("import_indicator_values", str(path), "--programme", programme.slug,
                 "--sheet", "Bilan 2025", "--dry-run")
    assert "1 créé" in capsys.readouterr().out and not values("projet-valeurs-un").exists()
    call_command("import_indicator_values", str(path), "--programme", programme.slug,
                 "--sheet", "Bilan 2025")
    assert "1 créé, 0 mis à jour, 0 inchangé" in capsys.readouterr().out
    assert values("projet-valeurs-un").get().value == 980
    buffer = BytesIO()
    book.save(buffer)
    assert plan_values(buffer.getvalue(), "bilan.xlsx", programme,
                       sheet="Bilan 2025").report().unchanged == 1
