"""Two-level vocabularies (issue 14 §3): a family includes its members, « tous publics »
projects appear whatever public is chosen, and the counts next to the options say what
ticking them gives, in the same single facet statement."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from portal.listing import project_listing
from projects.models import Public, Theme
from tests.projects.factories import ProjectPageFactory, PublicFactory, ThemeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def vocabulary(territories):
    family = PublicFactory(code="petite-enfance-et-parents", label="Petite enfance et parents",
                           data_inclusion="familles")
    pregnant = PublicFactory(code="femmes-enceintes", label="Femmes enceintes", family=family)
    parents = PublicFactory(code="futurs-parents", label="Futurs parents", family=family)
    students = PublicFactory(code="etudiants", label="Étudiants")
    everyone = PublicFactory(code="tous-publics", label="Tous publics", universal=True)
    food = ThemeFactory(code="alimentation", label="Alimentation")
    grocery = ThemeFactory(code="epicerie", label="Épicerie solidaire", family=food)
    where = [territories.get("commune", "59172")]  # Denain
    projects = {
        "maternite": ProjectPageFactory(slug="maternite", publics=[pregnant], territories=where),
        "parents": ProjectPageFactory(slug="parents", publics=[parents, pregnant],
                                      themes=[grocery], territories=where),
        "etudiants": ProjectPageFactory(slug="etudiants", publics=[students], themes=[food],
                                        territories=where),
        "ouvert": ProjectPageFactory(slug="ouvert", publics=[everyone, students],
                                     territories=where),
    }
    return projects


def listing(query: str) -> dict:
    return project_listing(RequestFactory().get(f"/projets/?{query}&perimetre=tous"))


def slugs(context) -> set[str]:
    return {card.slug for card in context["projects"]}


def counts(context, name) -> dict[str, int]:
    return {o.value: o.count for o in context["facets"][name]}


def test_a_family_includes_its_members_and_everyone_projects(vocabulary):
    context = listing("public=petite-enfance-et-parents")
    assert slugs(context) == {"maternite", "parents", "ouvert"}
    assert slugs(listing("public=femmes-enceintes")) == {"maternite", "parents", "ouvert"}
    assert slugs(listing("public=futurs-parents")) == {"parents", "ouvert"}


def test_a_tous_publics_project_appears_under_every_public_and_is_marked(vocabulary):
    for code in ("petite-enfance-et-parents", "femmes-enceintes", "futurs-parents", "etudiants"):
        assert "ouvert" in slugs(listing(f"public={code}")), code
    card = next(c for c in listing("")["projects"] if c.slug == "ouvert")
    assert card.open_to_everyone
    assert not next(c for c in listing("")["projects"] if c.slug == "etudiants").open_to_everyone


def test_counts_say_what_ticking_an_option_gives_and_families_come_first(vocabulary):
    context = listing("")
    assert counts(context, "public") == {
        "tous-publics": 1, "petite-enfance-et-parents": 3, "femmes-enceintes": 3,
        "futurs-parents": 2, "etudiants": 2}
    options = context["facets"]["public"]
    assert [o.value for o in options] == ["tous-publics", "etudiants",
                                          "petite-enfance-et-parents", "femmes-enceintes",
                                          "futurs-parents"]
    assert [o.level for o in options] == [0, 0, 0, 1, 1]
    assert counts(context, "thematique") == {"alimentation": 2, "epicerie": 1}
    # with a public ticked, the counts of the publics leave their own filter out
    ticked = listing("public=futurs-parents")
    assert counts(ticked, "public") == counts(context, "public")
    assert counts(ticked, "thematique") == {"alimentation": 1, "epicerie": 1}


def test_theme_family_includes_its_members(vocabulary):
    assert slugs(listing("thematique=alimentation")) == {"parents", "etudiants"}
    assert slugs(listing("thematique=epicerie")) == {"parents"}


def test_listing_query_count_stays_constant_with_families(vocabulary, client):
    def queries(url):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured.captured_queries)

    queries("/projets/")  # warm the cached choices
    one = queries("/projets/?public=petite-enfance-et-parents&thematique=alimentation")
    more = queries("/projets/?public=femmes-enceintes&public=etudiants&thematique=epicerie"
                   "&thematique=alimentation")
    ProjectPageFactory.create_batch(5, publics=list(Public.objects.all()))
    queries("/projets/")
    assert queries("/projets/?public=petite-enfance-et-parents&thematique=alimentation") == one
    assert more == one


def test_families_have_two_levels_and_national_codes(vocabulary):
    family = Public.objects.get(code="petite-enfance-et-parents")
    nested = Public(code="x", label="X", family=Public.objects.get(code="femmes-enceintes"))
    with pytest.raises(ValidationError):
        nested.full_clean()
    family.family = Public.objects.get(code="etudiants")
    with pytest.raises(ValidationError):
        family.full_clean()  # a family with members cannot join another one
    with pytest.raises(ValidationError):
        Public(code="y", label="Y", data_inclusion="pas-un-code").full_clean()
    with pytest.raises(ValidationError):
        Theme(code="z", label="Z", data_inclusion="familles").full_clean()  # a public's code
    Public(code="w", label="W", data_inclusion="familles").full_clean()


def test_the_admin_form_groups_the_checkboxes_by_family(vocabulary):
    from projects.forms import grouped_by_family

    groups = dict(grouped_by_family(Public.objects.all()))
    family = Public.objects.get(code="petite-enfance-et-parents")
    assert [label for _pk, label in groups["Petite enfance et parents"]] == [
        "Petite enfance et parents", "Femmes enceintes", "Futurs parents"]
    assert groups["Petite enfance et parents"][0][0] == family.pk
    assert [label for _pk, label in groups["Tous publics"]] == ["Tous publics"]
