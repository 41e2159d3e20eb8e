"""Whatever a person (or a scanner) puts in the address of a public page, the answer is never
a server error: a property-based test (hypothesis) over every public GET endpoint and every
parameter it reads, with random text (control characters, accents, emoji, very long values)
mixed with valid and near-valid values.

Bounded for CI: FUZZ_EXAMPLES examples per endpoint (default 12, a quarter for the map
pages, at most 200; run
`FUZZ_EXAMPLES=200 pytest tests/portal/test_fuzz.py` for a deep pass). Derandomised, so a
CI failure replays identically."""

import os
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytestmark = [pytest.mark.django_db]

EXAMPLES = min(200, int(os.environ.get("FUZZ_EXAMPLES", "12")))
FILTERS = ("q", "programme", "territoire", "public", "thematique", "axe", "statut", "annee",
           "porteur", "tri", "page", "par_page", "perimetre")
NEAR_VALID = ["", "0", "-1", "1e9", "59491", "commune-59491", "region-32", "epci-200042190",
              "faad", "1000-premiers-jours", "en-cours", "termine", "2024", "titre", "récent",
              "a" * 500, "%", "'", '"', "<script>", "..", "null", "région-32", "🙂"]
value = st.one_of(st.sampled_from(NEAR_VALID), st.text(max_size=60))
segment = st.one_of(st.sampled_from(["59491", "commune-59491", "region-32", "faad", "0",
                                     "99999999999999999999", "é", "-"]),
                    st.text(min_size=1, max_size=40))


def params(*names):
    return st.dictionaries(st.sampled_from(names), value, max_size=len(names))


ENDPOINTS = {
    "/": params("q"),
    "/projets/": params(*FILTERS),
    "/projets/export.csv": params(*FILTERS),
    "/projets/export.xlsx": params(*FILTERS),
    "/projets/export.geojson": params(*FILTERS),
    "/faad/": params(*FILTERS),
    "/territoires/": params("q", "page"),
    "/cartes/projets/": params(*FILTERS, "niveau"),
    "/cartes/projets/carte/": params(*FILTERS, "niveau"),
    "/cartes/couverture/": params("programme", "thematique", "public", "portee"),
    "/cartes/couverture/carte/": params("programme", "thematique", "public", "portee"),
    "/suivi/": params("annee"),
    "/suivi/faad/": params("annee"),
    "/api/": params("q"),
    "/api/projets/": params(*FILTERS),
    "/healthz": params("q"),
}
PATHS = {
    "/territoires/{}/": params("enfants", "page", "par_page", "q"),
    "/api/territoires/{}/": params("page"),
    "/api/projets/{}/": params("q"),
    "/suivi/{}/": params("annee"),
    "/suivi/{}.csv": params("annee"),
}
SLOW = HealthCheck.too_slow, HealthCheck.function_scoped_fixture
# Map pages render a map per new selection (seconds each): a quarter of the examples.
HEAVY = {"/", "/cartes/projets/", "/cartes/projets/carte/", "/cartes/couverture/",
         "/cartes/couverture/carte/"}


def _check(client, address, query):
    response = client.get(address, query)
    assert response.status_code < 500, (address, query, response.status_code)


@pytest.mark.parametrize("address", ENDPOINTS)
def test_public_endpoint_never_answers_5xx(client, address):
    examples = max(3, EXAMPLES // 4) if address in HEAVY else EXAMPLES

    @settings(max_examples=examples, deadline=None, derandomize=True, database=None,
              suppress_health_check=SLOW)
    @given(query=ENDPOINTS[address])
    def run(query):
        _check(client, address, query)

    run()


@pytest.mark.parametrize("pattern", PATHS)
def test_public_address_with_any_segment_never_answers_5xx(client, pattern):
    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=SLOW)
    @given(code=segment, query=PATHS[pattern])
    def run(code, query):
        _check(client, pattern.format(quote(code, safe="")), query)

    run()
