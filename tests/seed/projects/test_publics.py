"""Publics people can use (issue 14 §3) on the real seed: the families of the vocabulary,
« tous publics », and their data·inclusion codes."""

import pytest
from data_inclusion.schema import v1
from django.http import QueryDict

from portal.listing import listing_queryset
from projects.filters import ProjectFilter
from projects.models import Public, Theme

pytestmark = pytest.mark.django_db


def slugs(query: str) -> set[str]:
    return {p.slug for p in ProjectFilter(QueryDict(query), queryset=listing_queryset()).qs}


def test_petite_enfance_in_denain_gives_the_projects_for_pregnant_women_and_parents():
    found = slugs("territoire=59172&public=petite-enfance-et-parents")
    assert "1000-jours-pour-savourer-la-vie" in found  # femmes enceintes, futurs parents
    assert "village-sante-des-femmes" in found  # familles monoparentales
    assert "emancipation-feminine-bassin-minier-sante-sexuelle-eclairee" in found  # tous publics
    # the family gives more than any one of its publics
    assert found > slugs("territoire=59172&public=femmes-enceintes")
    assert found <= slugs("territoire=59172")


def test_a_tous_publics_project_appears_under_every_public():
    everyone = "faad-mieux-manger-pour-tous-sambre-avesnois"
    assert Public.objects.get(code="tous-publics").universal
    for public in Public.objects.all():
        assert everyone in slugs(f"public={public.code}&perimetre=tous"), public.code


def test_every_entry_has_at_most_two_levels_and_valid_national_codes():
    publics, themes = {v.value for v in v1.Public}, {v.value for v in v1.Thematique}
    for model, national in ((Public, publics), (Theme, themes)):
        for entry in model.objects.select_related("family"):
            assert entry.family is None or entry.family.family_id is None, entry.code
            assert not entry.data_inclusion or entry.data_inclusion in national, entry.code
    families = {p.code for p in Public.objects.filter(family__isnull=True, members__isnull=False)}
    assert {"petite-enfance-et-parents", "femmes", "jeunes",
            "personnes-en-situation-de-precarite"} <= families
    assert Public.objects.get(code="femmes-enceintes").family.code == "petite-enfance-et-parents"
    assert Theme.objects.get(code="equipement-et-alimentation--epicerie-solidaire").family.code \
        == "alimentation"


def test_the_tous_publics_project_page_says_it_is_open_to_everyone(client):
    from projects.models import ProjectPage

    page = ProjectPage.objects.get(slug="faad-mieux-manger-pour-tous-sambre-avesnois")
    html = client.get(page.url).content.decode()
    assert 'fr-badge fr-badge--success">Tous publics<' in html
