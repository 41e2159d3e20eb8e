"""Open data on the real seed: numeric key figures (ranges with both bounds), provenance
flags, the Frictionless Data Package validated with `frictionless`, and the data·inclusion
export validated with the `data-inclusion-schema` pydantic models."""

import json
from decimal import Decimal

import pytest
from data_inclusion.schema import v1
from django.core.exceptions import ValidationError
from frictionless import Package, validate

from indicators.models import IndicatorValue
from maps.models import Scale, Territory
from portal.opendata import datainclusion, tables
from projects.models import Organisation, ProjectPage, ProjectService, ProjectTerritory

pytestmark = pytest.mark.django_db

RANGES = {  # (lower, upper) of the six ranges of the FAAD brochure
    (Decimal(60), Decimal(80)), (Decimal(20), Decimal(30)), (Decimal(4), Decimal(8)),
    (Decimal(2), Decimal(4)), (Decimal(150), Decimal(200)), (Decimal(5), Decimal(10)),
}


def test_the_six_seed_ranges_keep_both_bounds():
    ranges = IndicatorValue.objects.filter(value_max__isnull=False)
    assert {(v.bounds[1], v.bounds[2]) for v in ranges} == RANGES
    assert all(v.bounds[0] is None for v in ranges)  # a range has no single value


def test_one_in_four_stays_words_without_a_number():
    figure = IndicatorValue.objects.get(value_text__startswith="1 habitant sur 4")
    assert figure.bounds == (None, None, None)
    row = tables.key_figure(figure)
    assert row["value"] is None and row["territory_code"] == "80021"
    assert "1 habitant sur 4" in row["sentence"]


def test_exact_figure_has_equal_bounds():
    figure = IndicatorValue.objects.filter(value__isnull=False, value_max__isnull=True).first()
    number, low, high = figure.bounds
    assert number == low == high == figure.value


def test_upper_bound_below_lower_bound_is_refused():
    figure = IndicatorValue.objects.filter(value_max__isnull=False).first()
    figure.value_max = Decimal(1)
    with pytest.raises(ValidationError) as error:
        figure.full_clean()
    assert "value_max" in error.value.message_dict


def test_provenance_of_axes_titles_and_territories():
    faad = ProjectPage.objects.live().filter(programme__slug="faad")
    with_axes = faad.filter(axes__isnull=False).distinct()
    assert with_axes.exists()
    assert set(with_axes.values_list("axes_provenance", flat=True)) == {"inferred"}
    assert all("DREETS" in note for note in with_axes.values_list("axes_note", flat=True))
    sdf = ProjectPage.objects.live().filter(programme__slug="sante-des-femmes-bassin-minier")
    assert set(sdf.values_list("axes_provenance", flat=True)) == {"inferred"}
    # 002 lists its examples under the priorities: their axes are the source's.
    examples = ProjectPage.objects.live().filter(source_document__code="002")
    assert set(examples.values_list("axes_provenance", flat=True)) == {"stated"}
    inferred_titles = examples.filter(title_provenance="inferred")
    assert inferred_titles.count() == 72
    assert examples.get(slug="udaf-71-cercles-des-parents").title_provenance == "stated"
    assert ProjectPage.objects.live().filter(programme__slug="faad",
                                             title_provenance="inferred").count() == 0
    link = ProjectTerritory.objects.get(project__slug="faad-bien-manger-rural-grandvilliers")
    assert link.provenance == "inferred" and "Picardie Verte" in link.note
    stated = ProjectTerritory.objects.get(project__slug="faad-nutri-cheques-aptahr")
    assert stated.provenance == "stated" and stated.note == ""


def test_datapackage_validates_with_frictionless(tmp_path):
    descriptor = tables.write_package(tmp_path)
    report = validate(str(descriptor))
    errors = [e["message"] for task in report.to_dict()["tasks"] for e in task["errors"]]
    assert report.valid, errors[:10]
    package = Package(str(descriptor))
    assert {r.name for r in package.resources} == {r.name for r in tables.RESOURCES}
    assert package.licenses[0]["name"] == "etalab-2.0"
    projects = package.get_resource("projets").read_rows()
    assert len(projects) == ProjectPage.objects.live().count()


def test_tables_publish_raw_codes_strings_and_no_portal_address(tmp_path):
    tables.write_package(tmp_path)
    territories = (tmp_path / "projets-territoires.csv").read_text().splitlines()
    assert "epci-" not in "\n".join(territories)
    caph = next(line for line in territories if ",epci,200042190," in line)
    assert ",2025," in caph  # DGCL perimeters year of EPCI codes
    assert any(",departement,02,2026," in line for line in territories)  # leading zero kept
    organisations = Package(str(tmp_path / "datapackage.json")).get_resource("organisations")
    sirens = [r["siren"] for r in organisations.read_rows() if r["siren"]]
    assert sirens and all(isinstance(s, str) and len(s) == 9 for s in sirens)
    for resource in tables.RESOURCES:
        assert "http://testserver" not in (tmp_path / resource.filename).read_text()
    figures = (tmp_path / "chiffres-cles.csv").read_text()
    assert ",60,80," in figures  # value empty, value_min 60, value_max 80 (a range)


def test_schemas_declare_every_column_they_describe():
    for resource in tables.RESOURCES:
        rows = resource.rows()
        assert rows, resource.name
        assert set(rows[0]) == set(resource.columns), resource.name


def _validate_services(export):
    services = [v1.Service.model_validate(record) for record in export.services]
    structures = [v1.Structure.model_validate(record) for record in export.structures]
    return services, structures


def test_data_inclusion_export_of_the_seed_validates():
    export = datainclusion.build("https://portail.example.org")
    services, structures = _validate_services(export)
    names = {s.nom for s in services}
    assert "Épicerie solidaire fixe et mobile des Compagnons du Marais" in names
    senlis = next(s for s in services if "Compagnons" in s.nom)
    assert senlis.code_insee == "60612" and senlis.structure_id.endswith("compagnons-du-marais")
    assert {s.id for s in structures} >= {senlis.structure_id}
    # The itinerant épiceries have no place in the brochure: left out, and said why.
    left_out = {row["service"]: row["missing"] for row in export.left_out}
    assert any("Itiner" in name for name in left_out)
    assert all(missing for missing in left_out.values())


def test_a_service_staff_fill_in_is_exported_with_every_field():
    project = ProjectPage.objects.live().get(slug="faad-epicerie-solidaire-itinerante-est-somme")
    ham = Territory.objects.get(scale=Scale.COMMUNE, code="80410")
    service = ProjectService(
        project=project, name="Épicerie solidaire de Ham", address="1 rue de Noyon",
        postcode="80400", commune=ham, longitude=3.0733, latitude=49.7469,
        email="epicerie@example.org", phone="+33322000000", in_person=True, remote=False,
        fees="payant", fees_details="10 % du prix du marché",
        opening_hours="Tu,Th 14:00-18:00",
        access_conditions="Sur orientation d’un travailleur social",
    )
    service.full_clean(exclude=["project"])
    service.save()
    export = datainclusion.build("https://portail.example.org")
    services, _structures = _validate_services(export)
    ham_service = next(s for s in services if s.nom == "Épicerie solidaire de Ham")
    assert ham_service.adresse == "1 rue de Noyon" and ham_service.code_postal == "80400"
    assert ham_service.horaires_accueil == "Tu,Th 14:00-18:00"
    assert [m.value for m in ham_service.modes_accueil] == ["en-presentiel"]
    assert ham_service.frais.value == "payant"
    assert "200070985" in ham_service.zone_eligibilite


def test_opening_hours_must_be_osm_format():
    service = ProjectService(name="Atelier", opening_hours="le lundi de 9h à 12h")
    with pytest.raises(ValidationError) as error:
        service.clean()
    assert "opening_hours" in error.value.message_dict


def test_siret_must_match_siren():
    organisation = Organisation(key="x", name="X", siren="200042190", siret="12345678901234")
    with pytest.raises(ValidationError) as error:
        organisation.clean()
    assert "siret" in error.value.message_dict


def test_datapackage_descriptor_is_json_serialisable():
    descriptor = tables.datapackage("https://portail.example.org/donnees/")
    text = json.dumps(descriptor, default=str)
    assert "https://portail.example.org/donnees/projets.csv" in text
