"""Monitoring pages as staff read them: honest envelopes, count grammar, the year's reporting
campaign after figures come in, the drill-down behind a total, French CSV, bounded queries."""

import csv
import datetime
import io
import re

import pytest

from indicators.models import IndicatorDefinition, IndicatorValue
from projects.models import ProgrammePage, ProjectPage

pytestmark = pytest.mark.django_db

NBSP = "\xa0"


def text_of(response) -> str:
    """The page's text with every kind of space made a plain one."""
    html = response.content.decode()
    return re.sub(r"[\s\u202f\xa0]+", " ", re.sub(r"<[^>]+>", " ", html))


def read_csv(response) -> list[dict]:
    assert response.status_code == 200
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))


def test_sante_des_femmes_shows_its_current_envelope_and_where_it_started(client):
    text = text_of(client.get("/suivi/sante-des-femmes-bassin-minier/"))
    assert "426 229 €" in text
    assert "300 000 € à l’été 2023, porté à 426 229 €" in text
    rows = read_csv(client.get("/suivi/sante-des-femmes-bassin-minier/appels.csv"))
    assert rows[0]["enveloppe_eur"] == "426229"
    assert rows[0]["enveloppe_initiale_eur"] == "300000"
    page = text_of(client.get("/sante-des-femmes-bassin-minier/"))
    assert "300 000 € à l’été 2023, porté à 426 229 €" in page


def test_no_total_mixes_programmes_and_nothing_reads_none(client):
    overview = text_of(client.get("/suivi/"))
    assert "9 180 824" not in overview  # the four envelopes of two programmes, once added
    for path in ("/suivi/", "/suivi/1000-premiers-jours/", "/1000-premiers-jours/"):
        text = text_of(client.get(path))
        assert "None" not in text, path
        assert "« «" not in text and "» »" not in text, path
    faad = text_of(client.get("/suivi/faad/"))
    assert "8 880 824 € au total sur 2023–2025 (somme des 3 enveloppes annuelles)" in faad


def test_counts_agree_with_their_number(client):
    text = text_of(client.get("/suivi/faad/"))
    assert "régionaux" not in re.findall(r"dont 1 \w+", text)
    assert not re.search(r"\b1 projets\b|\bdont 1 régionaux\b", text)


def test_long_tables_fold_and_list_the_region_first(client):
    response = client.get("/suivi/")
    departements = next(t for t in response.context["tables"] if t.slug == "departements")
    codes = [row["code"] for row in departements.rows]
    region = {"02", "59", "60", "62", "80"}
    assert set(codes[: len(region & set(codes))]) == region & set(codes)
    epci = next(t for t in response.context["tables"] if t.slug == "epci")
    assert epci.folds and len(epci.first_rows) == epci.SHOWN_ROWS
    assert 'aria-controls="epci-more"' in response.content.decode()


def test_campaign_after_three_figures_for_three_faad_projects(
        client, django_capture_on_commit_callbacks):
    faad = ProgrammePage.objects.get(slug="faad")
    definition = IndicatorDefinition.objects.create(
        code="test-paniers", label="Paniers distribués (test)", unit="paniers", is_shared=True)
    projects = list(ProjectPage.objects.live().filter(programme=faad).order_by("title")[:3])
    with django_capture_on_commit_callbacks(execute=True):
        for project, value, status in zip(projects, (300, 120, 80), (
                IndicatorValue.Status.VALIDATED, IndicatorValue.Status.DECLARED,
                IndicatorValue.Status.DECLARED), strict=True):
            IndicatorValue.objects.create(
                project=project, definition=definition, value=value, status=status,
                period_start=datetime.date(2025, 1, 1), period_end=datetime.date(2025, 12, 31),
                source_note="Bilan 2025")

    response = client.get("/suivi/faad/2025/")
    assert response.status_code == 200
    reported = {r.project.pk for r in response.context["campaign"].reported}
    assert {p.pk for p in projects} <= reported
    total = next(t for t in response.context["campaign"].totals if t.code == "test-paniers")
    assert (total.validated_value, total.validated_projects) == (300, 1)
    assert (total.declared_value, total.declared_projects) == (200, 2)
    text = text_of(response)
    for project in projects:
        assert project.title in text
    assert "Paniers distribués (test) : 300 paniers" in text

    missing = read_csv(client.get("/suivi/faad/2025/manquants.csv"))
    assert missing and set(missing[0]) >= {"projet", "porteur", "indicateur", "manque"}
    assert not {p.slug for p in projects} & {r["slug"] for r in missing
                                             if r["code_indicateur"] == "test-paniers"}

    detail = client.get("/suivi/faad/indicateurs/test-paniers/?annee=2025")
    rows = detail.context["detail"].rows
    assert sorted((r["figure"].value, r["figure"].status, r["in_total"]) for r in rows) == [
        (80, "declared", "compté"), (120, "declared", "compté"), (300, "validated", "compté")]
    assert "Bilan 2025" in text_of(detail)


def test_campaign_and_drill_down_refuse_what_is_not_a_year(client):
    assert client.get("/suivi/faad/1890/").status_code == 404
    assert client.get("/suivi/inconnu/2025/").status_code == 404
    code = IndicatorDefinition.objects.filter(is_shared=True).first().code
    assert client.get(f"/suivi/faad/indicateurs/{code}/?annee=deux-mille").status_code == 400
    assert client.get(f"/suivi/faad/indicateurs/{code}/?departement=999").status_code == 400
    assert client.get("/suivi/faad/indicateurs/inconnu/").status_code == 404


@pytest.mark.parametrize("path", ["/suivi/", "/suivi/faad/", "/suivi/faad/2025/",
                                  "/suivi/sante-des-femmes-bassin-minier/",
                                  "/suivi/1000-premiers-jours/2024/"])
def test_monitoring_pages_stay_under_twenty_queries(client, django_assert_max_num_queries,
                                                    path):
    from portal.context_processors import legal_links

    legal_links()  # the footer's links are cached for minutes and not bumped by a publish
    with django_assert_max_num_queries(20):
        assert client.get(path).status_code == 200


def test_staff_campaign_view_links_what_waits_for_validation(
        staff_client, django_capture_on_commit_callbacks):
    faad = ProgrammePage.objects.get(slug="faad")
    definition = IndicatorDefinition.objects.create(code="test-admin", label="Test admin")
    project = ProjectPage.objects.live().filter(programme=faad).order_by("title").first()
    with django_capture_on_commit_callbacks(execute=True):
        value = IndicatorValue.objects.create(project=project, definition=definition, value=7,
                                              period_end=datetime.date(2025, 6, 30))
    response = staff_client.get("/admin/suivi/campagnes/?programme=faad&annee=2025")
    assert response.status_code == 200
    html = response.content.decode()
    assert f"/admin/indicator_values/edit/{value.pk}/" in html or \
        f"indicator_values/{value.pk}" in html
    assert "Campagnes de suivi" in html
    assert any(r.project.pk != project.pk for r in response.context["campaign"].silent)


def test_campaign_table_is_paginated_and_its_counts_cover_every_project(client, monkeypatch):
    """A national programme has a thousand projects: the « who reported what » table shows
    them a page at a time, while the counts above it and the CSV still cover them all."""
    monkeypatch.setattr("portal.views.monitoring.REPORTS_PER_PAGE", 10)
    first = client.get("/suivi/faad/2025/")
    campaign = first.context["campaign"]
    assert len(campaign.reports) > 10
    assert len(first.context["page_obj"].object_list) == 10
    assert 'class="fr-pagination"' in first.content.decode()
    second = client.get("/suivi/faad/2025/?page=2")
    shown = {r.project.pk for r in first.context["page_obj"]} | {
        r.project.pk for r in second.context["page_obj"]}
    assert len(shown) == len(first.context["page_obj"]) + len(second.context["page_obj"])
    assert client.get("/suivi/faad/2025/?page=zz").status_code == 200  # first page, no 500
