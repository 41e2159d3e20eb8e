"""The seed and territory loaders refuse damaged input: each corrupted copy of a small valid
seed (or territory set) written in tmp_path is refused with a French error naming the file,
the line and the field, and the database is left exactly as it was (same rows, same
revisions). Never a traceback."""

import json

import pytest
from wagtail.models import Page, Revision

from indicators.models import IndicatorDefinition, IndicatorValue
from maps.models import Territory
from maps.services.import_territories import load_reference_territories
from maps.services.reports import ImportRejected
from portal.seeding import SeedRejected, load_seed
from projects.models import Organisation, ProjectPage, Theme

pytestmark = pytest.mark.django_db

SEED = """\
source: {code: "T01", title: "Document de test", publisher: "ARS"}
vocabulary:
  themes:
    - {code: test-theme, label: "Thème de test"}
organisations:
  - key: test-asso
    name: "Association de test"
    siren: "123456789"
    kind: association
programme:
  slug: programme-de-test
  title: "Programme de test"
  calls:
    - year: 2025
      envelope_eur: 100000
      dossiers_received: 10
      dossiers_retained: 4
indicators:
  - {code: test-taux, label: "Taux de test", measure: percent, kind: outcome, aggregation: none}
projects:
  - slug: projet-de-test
    programme: programme-de-test
    title: "Projet de test"
    summary: "Un projet pour les tests."
    call_year: 2025
    themes: [test-theme]
    organisations:
      - {org: test-asso, role: carrier, amount_eur: 5000}
    start_date: 2025-01-01
    end_date: 2025-12-31
    territories:
      - {scale: epci, code: "200042190"}
    places:
      - {name: "Médiathèque", commune: "59491", lon: 3.48, lat: 50.41}
    events:
      - {title: "Réunion", date: 2025-03-03, start_time: "14:00", end_time: "16:00"}
    contacts:
      - {name: "A. Test", email: "a.test@example.org", publish: true}
    indicators:
      - {code: test-taux, kind: outcome, value: 40, period_start: 2025-01-01}
"""


def state():
    """What must not move when a load is refused."""
    return (Page.objects.count(), Revision.objects.count(), Organisation.objects.count(),
            Theme.objects.count(), IndicatorDefinition.objects.count(),
            IndicatorValue.objects.count(), Territory.objects.count(),
            Territory.objects.filter(is_obsolete=True).count())


def seed_dir(tmp_path, content: str | bytes, name="test.yaml"):
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return tmp_path


def replaced(old, new):
    assert old in SEED, old
    return SEED.replace(old, new, 1)


def test_the_small_seed_is_valid_and_loads(tmp_path):
    load_seed(seed_dir(tmp_path, SEED))
    page = ProjectPage.objects.get(slug="projet-de-test")
    assert page.live and page.territory_links.count() == 1 and page.contacts.count() == 1


CUT = SEED.index("    territories:")
SEED_DAMAGE = {
    "truncated-mid-line": (SEED[: SEED.index("Un projet") + 5], None, "tronqué"),
    "truncated-at-a-line": (SEED[:CUT], "territories", "obligatoire"),
    "title-list": (replaced('title: "Projet de test"', "title: [a, b]"), "title", "texte"),
    "duplicate-key": (replaced('    title: "Projet de test"\n',
                               '    title: "Projet de test"\n    title: "Autre"\n'),
                      "title", "deux fois"),
    "bad-email": (replaced("a.test@example.org", "pas-un-email"), "email", "adresse"),
    "projects-number": (SEED[: SEED.index("projects:")] + "projects: 42\n", "projects",
                        "liste"),
    "theme-string": (replaced("themes: [test-theme]", "themes: test-theme"), "themes",
                     "liste"),
    "lon-text": (replaced("lon: 3.48", 'lon: "abc"'), "lon", "nombre"),
    "long-title": (replaced('title: "Projet de test"', f'title: "{"x" * 300}"'), "title",
                   "255"),
    "call-year": (replaced("call_year: 2025", "call_year: 99999"), "call_year", "2100"),
    "syntax": (replaced("themes: [test-theme]", "themes: [test-theme"), None, "YAML"),
    "end-before-start": (replaced("end_date: 2025-12-31", "end_date: 2024-12-31"),
                         "end_date", "date"),
    "siren-8-digits": (replaced('siren: "123456789"', 'siren: "12345678"'), "siren", "9"),
    "unknown-key": (replaced("    summary:", "    sumary:"), "sumary", "inconnu"),
    "negative-amount": (replaced("amount_eur: 5000", "amount_eur: -5"), "amount_eur", "0"),
    "more-retained": (replaced("dossiers_retained: 4", "dossiers_retained: 40"),
                      "dossiers_retained", "retenus"),
    "percent-over-100": (replaced("value: 40", "value: 150"), "value", "100"),
    "bad-time": (replaced('end_time: "16:00"', 'end_time: "25:00"'), "end_time", "heure"),
    "unknown-territory": (replaced('code: "200042190"', 'code: "999999999"'), "territories",
                          "inconnu"),
    "unknown-theme": (replaced("themes: [test-theme]", "themes: [pas-un-theme]"), "themes",
                      "inconnu"),
    "publish-text": (replaced("publish: true", 'publish: "oui"'), "publish", "true"),
    "top-level-list": ("- a\n- b\n", None, "dictionnaire"),
    "service-postcode": (replaced("    contacts:\n", "    services:\n      - {name: \"Épicerie\", "
                                  "postcode: \"5949\"}\n    contacts:\n"), "postcode", "5"),
    "inferred-without-note": (replaced('{scale: epci, code: "200042190"}',
                                       '{scale: epci, code: "200042190", provenance: inferred}'),
                              "territories", "note"),
}


@pytest.mark.parametrize("case", sorted(SEED_DAMAGE))
def test_a_damaged_seed_file_is_refused_and_writes_nothing(tmp_path, case):
    content, field, words = SEED_DAMAGE[case]
    before = state()
    with pytest.raises(SeedRejected) as refused:
        load_seed(seed_dir(tmp_path, content))
    message = str(refused.value)
    assert message.startswith("test.yaml"), message
    assert words in message, message
    if field:
        assert f"« {field} »" in message and ", ligne " in message, message
    assert state() == before
    assert not ProjectPage.objects.filter(slug="projet-de-test").exists()


def test_a_latin1_seed_file_is_refused_with_its_name(tmp_path):
    before = state()
    with pytest.raises(SeedRejected) as refused:
        load_seed(seed_dir(tmp_path, SEED.encode("latin-1"), name="latin.yaml"))
    message = str(refused.value)
    assert "latin.yaml" in message and "UTF-8" in message and "ligne 4" in message, message
    assert state() == before


def test_an_empty_seed_file_is_refused(tmp_path):
    with pytest.raises(SeedRejected, match="vide"):
        load_seed(seed_dir(tmp_path, ""))


# --------------------------------------------------------------------------- territories
def square(lon, lat, size=0.05):
    ring = [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size],
            [lon, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


def collection(features):
    return json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": props, "geometry": geom} for props, geom in features
    ]}) + "\n"


COMMUNES = """\
code,nom,departement,region,epci,population,codes_postaux,centroid_lon,centroid_lat,zone,siren_commune
59491,Raismes,59,32,200042190,12000,59590,3.48,50.39,metro,215904913
59172,Denain,59,32,200042190,19000,59220,3.39,50.33,metro,215901729
"""
EPCI = """\
siren,nom,type,mode_financement,nb_communes,population,departements,regions,communes
200042190,CA de la Porte du Hainaut,CA,FPU,2,31000,59,32,59491;59172
"""


def territory_dir(tmp_path, communes=COMMUNES, epci=EPCI):
    (tmp_path / "regions.geojson").write_text(
        collection([({"code": "32", "nom": "Hauts-de-France"}, square(3.0, 50.0, 1))]))
    (tmp_path / "departements.geojson").write_text(collection(
        [({"code": "59", "nom": "Nord", "region": "32"}, square(3.0, 50.0, 0.8))]))
    (tmp_path / "epci-hauts-de-france.geojson").write_text(
        collection([({"siren": "200042190", "nom": "CAPH"}, square(3.3, 50.3, 0.2))]))
    (tmp_path / "communes-hauts-de-france.geojson").write_text(collection([
        ({"code": "59491", "nom": "Raismes"}, square(3.4, 50.35, 0.05)),
        ({"code": "59172", "nom": "Denain"}, square(3.35, 50.3, 0.05)),
    ]))
    for name, content in (("communes-france.csv", communes), ("epci-france.csv", epci)):
        path = tmp_path / name
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return tmp_path


TERRITORY_DAMAGE = {
    "truncated-communes": ({"communes": COMMUNES[:-40]}, "communes-france.csv", None,
                           "tronqué"),
    "short-row": ({"communes": COMMUNES.replace(",metro,215901729", "")},
                  "communes-france.csv, ligne 3", None, "cellules"),
    "negative-population": ({"communes": COMMUNES.replace(",12000,", ",-12,")},
                            "communes-france.csv, ligne 2", "population", "0"),
    "text-population": ({"communes": COMMUNES.replace(",12000,", ",douze mille,")},
                        "communes-france.csv, ligne 2", "population", "nombre"),
    "text-epci-population": ({"epci": EPCI.replace(",31000,", ",n/a,")},
                             "epci-france.csv, ligne 2", "population", "nombre"),
}


@pytest.mark.parametrize("case", sorted(TERRITORY_DAMAGE))
def test_a_damaged_territory_file_is_refused_and_writes_nothing(tmp_path, case):
    files, where, field, words = TERRITORY_DAMAGE[case]
    before = state()
    with pytest.raises(ImportRejected) as refused:
        load_reference_territories(territory_dir(tmp_path, **files))
    message = str(refused.value)
    assert where in message and words in message, message
    if field:
        assert f"« {field} »" in message, message
    assert state() == before


def test_a_latin1_territory_csv_is_refused_with_its_name(tmp_path):
    before = state()
    with pytest.raises(ImportRejected) as refused:
        load_reference_territories(territory_dir(
            tmp_path, communes=COMMUNES.replace("Denain", "Dénain").encode("latin-1")))
    message = str(refused.value)
    assert "communes-france.csv" in message and "UTF-8" in message and "ligne 3" in message
    assert state() == before
