"""The sample the small tests build on: its closure and coverage follow the real rules."""

import pytest

from maps.models import Scale
from projects.models import ProjectCoverage

pytestmark = pytest.mark.django_db


@pytest.mark.smoke
def test_sample_closure_never_goes_through_an_epci(territories):
    eu = territories.commune("76255")
    assert {(t.scale, t.code) for t in eu.ancestors.all()} == {
        (Scale.EPCI, "247600786"), (Scale.DEPARTEMENT, "76"), (Scale.REGION, "28")}
    assert set(territories.villes_soeurs.ancestors.values_list("code", flat=True)) == {
        "80", "76", "32", "28"}
    assert {t.code for t in territories.region_communes()} == {
        "59491", "59172", "59632", "59350", "62498", "62894", "80021", "80016", "80533"}


@pytest.mark.smoke
def test_sample_catalogue_covers_the_communes_of_its_territories(catalogue, territories):
    def communes(slug):
        return set(ProjectCoverage.objects.filter(project=catalogue[slug])
                   .values_list("commune__code", flat=True))

    assert communes("caph-epci") == {"59491", "59172", "59632"}
    assert communes("denaisis-area") == {"59172", "59632"}
    assert communes("villes-soeurs") == {"80016", "80533", "76255"}
    assert communes("region-wide") == {t.code for t in territories.region_communes()}
    assert communes("jette-abroad") == set()
    assert catalogue["caph-epci"].programme == catalogue.thousand_days
    assert catalogue["region-wide"].broadest_scale == Scale.REGION
