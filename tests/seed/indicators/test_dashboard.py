"""Monitoring dashboards on the seed data: programme figures, coverage per département,
shared indicator totals, context figures, CSV downloads and a bounded query count."""

import csv
import io
from collections import defaultdict
from decimal import Decimal

import pytest
from django.utils.translation import gettext

from indicators import precomputed
from indicators.models import IndicatorValue
from maps.models import Scale
from projects.models import ProgrammePage, ProjectCoverage, ProjectPage
from tests.caches import clear_caches

pytestmark = pytest.mark.django_db

NBSP = "\xa0"


def read_csv(response) -> list[dict]:
    """The portal's CSV dialect, read as French Excel reads it: byte-order mark, `;`."""
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")  # byte-order mark: spreadsheets read the accents
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert rows == [] or len(rows[0]) > 1, "one column: not the `;` dialect"
    return rows


def number(text: str) -> Decimal:
    """A CSV number with a decimal comma."""
    assert "." not in text, text
    return Decimal(text.replace(",", "."))


def test_overview_lists_every_programme_with_its_dashboard(client):
    response = client.get("/suivi/")
    html = response.content.decode()
    assert response.status_code == 200
    for slug in ("1000-premiers-jours", "sante-des-femmes-bassin-minier", "faad"):
        assert f'href="/suivi/{slug}/"' in html
    assert 'role="img"' in html and "<caption>" in html
    assert "cdn" not in html.lower()


def test_faad_budgets_by_year_as_written(client):
    html = client.get("/suivi/faad/").content.decode()
    for amount in ("1 997 734 €", "2 939 413 €", "3 943 677 €", "22 000 000 €"):
        assert amount.replace(" ", NBSP, amount.count(" ") - 1) in html
    rows = {r["annee"]: r for r in read_csv(client.get("/suivi/faad/appels.csv"))}
    assert set(rows) == {"2023", "2024", "2025"}
    assert rows["2023"]["enveloppe_eur"] == "1997734"
    assert rows["2023"]["sollicite_eur"] == "22000000"
    assert rows["2023"]["dossiers_recus"] == "97"
    assert rows["2023"]["dossiers_retenus"] == "17"
    assert rows["2024"]["enveloppe_eur"] == "2939413"
    assert rows["2025"]["enveloppe_eur"] == "3943677"
    assert rows["2024"]["dossiers_recus"] == ""  # not published: left empty, not zero


def test_summary_counts_the_live_projects_of_the_programme(client):
    faad = ProgrammePage.objects.get(slug="faad")
    response = client.get("/suivi/faad/")
    expected = ProjectPage.objects.live().filter(programme=faad).count()
    assert expected > 10
    assert response.context["summary"].projects == expected
    summary = response.context["summary"]
    assert summary.envelopes_total == Decimal("8880824")  # said: the sum of 3 yearly ones
    assert summary.envelope_years == "2023–2025"
    assert [e.amount for e in summary.envelopes] == [1997734, 2939413, 3943677]


def test_projects_per_departement_come_from_the_covered_communes(client):
    faad = ProgrammePage.objects.get(slug="faad")
    expected: dict[str, set] = defaultdict(set)
    for project_id, code in ProjectCoverage.objects.filter(
        project__programme=faad, project__live=True,
        commune__parents__scale=Scale.DEPARTEMENT,
    ).values_list("project_id", "commune__parents__code"):
        expected[code].add(project_id)
    rows = {r["code"]: r for r in read_csv(client.get("/suivi/faad/departements.csv"))}
    assert {"02", "59", "60", "62", "80"} <= set(rows)
    assert {code: int(r["projets"]) for code, r in rows.items()} == {
        code: len(ids) for code, ids in expected.items()}
    regional = ProjectPage.objects.live().filter(programme=faad, broadest_scale=Scale.REGION)
    assert int(rows["59"]["dont_regionaux"]) == regional.count()


def test_projects_per_axis_public_and_theme(client):
    faad = ProgrammePage.objects.get(slug="faad")
    axes = read_csv(client.get("/suivi/faad/axes.csv"))
    assert [r["code"] for r in axes] == list(faad.axes.values_list("code", flat=True))
    for row in axes:
        axis = faad.axes.get(code=row["code"])
        assert int(row["projets"]) == axis.projects.live().count()
    publics = read_csv(client.get("/suivi/faad/publics.csv"))
    assert publics, "FAAD projects name their publics"
    top = publics[0]
    assert int(top["projets"]) == ProjectPage.objects.live().filter(
        programme=faad, publics__code=top["code"]).count()
    themes = read_csv(client.get("/suivi/faad/thematiques.csv"))
    assert all(int(r["projets"]) > 0 for r in themes)


def test_shared_totals_count_validated_figures_only_and_show_declared_apart(client):
    programme = ProgrammePage.objects.get(slug="sante-des-femmes-bassin-minier")
    values = list(IndicatorValue.objects.filter(
        project__programme=programme, project__live=True, definition__is_shared=True,
        kind__in=["output", "outcome"], value__isnull=False, period_start__isnull=True,
    ).select_related("definition").order_by("definition__code", "project_id"))
    by_code = defaultdict(list)
    for value in values:
        by_code[value.definition.code].append(value)
    # a definition reported once each by several projects: its declared total is their sum
    code, reported = next((c, v) for c, v in by_code.items()
                          if len(v) >= 2 and len({x.project_id for x in v}) == len(v))
    rows = {r["code"]: r for r in read_csv(
        client.get(f"/suivi/{programme.slug}/indicateurs.csv"))}
    assert all(r["total_valide"] == "" for r in rows.values())  # the seed validates nothing
    assert number(rows[code]["total_declare"]) == sum(v.value for v in reported)
    assert int(rows[code]["projets_declarants"]) == len(reported)

    first, *others = reported
    IndicatorValue.objects.filter(pk=first.pk).update(status="validated")
    precomputed.refresh_projects([first.project_id])  # what any bulk update must call
    rows = {r["code"]: r for r in read_csv(
        client.get(f"/suivi/{programme.slug}/indicateurs.csv"))}
    assert number(rows[code]["total_valide"]) == first.value
    assert rows[code]["projets_valides"] == "1"
    assert number(rows[code]["total_declare"]) == sum(v.value for v in others)


def test_indicator_totals_keep_units_apart_and_never_add_percentages(client):
    rows = read_csv(client.get("/suivi/indicateurs.csv"))
    codes = [r["code"] for r in rows]
    keys = [(r["programme"], r["code"]) for r in rows]
    assert len(keys) == len(set(keys))  # one row per programme and definition: one unit each
    for row in rows:
        if row["regle"] == gettext("never added up"):
            assert row["total_valide"] == row["total_declare"] == ""
    assert "taux-pauvrete" not in codes  # a context percentage is never totalled


def test_context_figures_appear_once_with_every_project_citing_them(client):
    faad = ProgrammePage.objects.get(slug="faad")
    cited = defaultdict(set)
    for value in IndicatorValue.objects.filter(
        project__programme=faad, project__live=True, kind="context", value__isnull=False,
        territory__isnull=False,
    ).select_related("project", "territory", "definition"):
        cited[(value.definition.label, value.territory.name, value.value)].add(
            value.project.title)
    (label, territory, value), titles = next((k, v) for k, v in cited.items() if len(v) > 1)
    rows = [r for r in read_csv(client.get("/suivi/faad/contexte.csv"))
            if (r["indicateur"], r["territoire"]) == (label, territory)
            and number(r["valeur"] or "-1") == value]
    assert len(rows) == 1
    assert set(rows[0]["projets"].split(" ; ")) == titles


@pytest.mark.parametrize("path", ["/suivi/", "/suivi/faad/",
                                  "/suivi/sante-des-femmes-bassin-minier/"])
def test_dashboard_query_count_is_bounded(client, django_assert_max_num_queries, path):
    """About two queries per table whatever the number of projects, values or territories
    (the first time: the coverage counts are cached afterwards)."""
    clear_caches()
    with django_assert_max_num_queries(24):
        assert client.get(path).status_code == 200


def test_each_table_on_the_page_has_its_csv(client):
    response = client.get("/suivi/faad/")
    html = response.content.decode()
    for table in response.context["tables"]:
        assert f'href="/suivi/faad/{table.slug}.csv"' in html
        assert f'id="{table.slug}"' in html
        rows = read_csv(client.get(f"/suivi/faad/{table.slug}.csv"))
        assert len(rows) == len(table.rows)
    assert len(read_csv(client.get("/suivi/programmes.csv"))) == 3


def test_unknown_programme_or_table_is_404(client):
    assert client.get("/suivi/inconnu/").status_code == 404
    assert client.get("/suivi/faad/inconnue.csv").status_code == 404
    assert client.get("/suivi/faad/programmes.csv").status_code == 404
