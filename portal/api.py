"""The read-only JSON API (/api/), on django-ninja: pydantic schemas for every answer, an
OpenAPI 3.1 contract generated from them (/api/schema/), interactive documentation in French
served from our own static files (/api/docs/).

django-ninja rather than DRF + drf-spectacular: it comes with Wagtail 8's stack already, the
schemas are the pydantic models we also use for data·inclusion, and the contract is generated
from the same type hints that validate the parameters. Filtering stays the listing's
`ProjectFilter` (the API, /projets/, the map and the exports answer the same question the same
way); the records are the read model's (`portal.records.records`).

Invalid parameter values answer 400 with a JSON body naming each wrong parameter; undeclared
methods answer 405; every answer may be read from any origin (GET only: CORS read-only).
"""

from __future__ import annotations

import datetime
from typing import Annotated, Any, Literal

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Query, Schema
from ninja.errors import HttpError, ValidationError
from ninja.openapi.docs import DocsBase
from ninja.renderers import JSONRenderer
from ninja.responses import Status
from pydantic import Field, StringConstraints

from indicators.models import IndicatorValue
from maps.models import Territory
from portal.listing import (
    MAX_PAGE_SIZE,
    PAGE_SIZE,
    level_groups,
    listing_queryset,
    select_page,
)
from portal.opendata.figures import key_figure
from portal.records import records
from portal.territory_page import ancestors_of, children_summary, with_context_figures
from projects.filters import MAX_YEAR, MIN_YEAR, SORT_CHOICES, ProjectFilter
from projects.models import Organisation, ProjectOrganisation, ProjectPage
from projects.territory import is_broad, level_label, resolve_territory, territory_key

# -- parameters ------------------------------------------------------------------------

#: Free text as people type it: no control character (PostgreSQL refuses NUL), bounded.
Text = Annotated[str, StringConstraints(max_length=200, pattern=r"^[^\x00-\x1f\x7f]*$")]
StatusCode = Literal["en-cours", "a-venir", "termine", "inconnu"]
SortCode = Literal[tuple(code for code, _label in SORT_CHOICES)]  # type: ignore[valid-type]
KindCode = Literal["context", "output", "outcome", "target"]
Provenance = Literal["stated", "inferred"]


class ProjectParams(Schema):
    q: Text | None = Field(None, description="Recherche plein texte en français (accents et "
                           "pluriels ignorés).")
    programme: Text | None = Field(None, description="Programme : 1000-premiers-jours, "
                                   "sante-des-femmes-bassin-minier ou faad.")
    territoire: Text | None = Field(None, description="Code INSEE de commune, SIREN d’EPCI, "
                                    "code de département ou de région, « échelle-code » "
                                    "(region-32, commune-59491) ou un nom : ce qui couvre le "
                                    "territoire et ce qui s’y trouve.")
    perimetre: Literal["region", "ailleurs", "tous"] | None = Field(
        None, description="Périmètre : region (Hauts-de-France, par défaut sans territoire), "
        "ailleurs (exemples ailleurs en France du document national des 1000 premiers "
        "jours) ou tous.")
    public: list[Text] = Field([], description="Code de public ; répétez le paramètre pour "
                               "plusieurs (l’un d’eux).")
    thematique: list[Text] = Field([], description="Code de thématique ; répétez le paramètre "
                                   "pour plusieurs (l’une d’elles).")
    axe: Text | None = Field(None, description="Axe : « programme:code-axe » (faad:axe-1).")
    statut: StatusCode | None = Field(None, description="Statut d’après les dates.")
    annee: int | None = Field(None, ge=MIN_YEAR, le=MAX_YEAR,
                              description="Année de l’appel ou d’activité.")
    porteur: Text | None = Field(None, description="Clé de l’organisation porteuse.")
    tri: SortCode | None = Field(None, description="Ordre des résultats.")
    page: int = Field(1, ge=1, le=100000, description="Numéro de page (1 par défaut).")
    par_page: int = Field(PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE, description=(
        f"Résultats par page, {PAGE_SIZE} par défaut, au plus {MAX_PAGE_SIZE}."))


class PageParams(Schema):
    page: int = Field(1, ge=1, le=100000, description="Numéro de page (1 par défaut).")
    par_page: int = Field(PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE, description=(
        f"Résultats par page, {PAGE_SIZE} par défaut, au plus {MAX_PAGE_SIZE}."))


class OrganisationParams(PageParams):
    role: Literal["carrier", "partner", "funder"] | None = Field(
        None, description="Seulement les organisations ayant ce rôle dans un projet.")
    siren: Annotated[str, StringConstraints(pattern=r"^[0-9]{9}$")] | None = Field(
        None, description="SIREN (9 chiffres).")


class IndicatorParams(PageParams):
    indicateur: Text | None = Field(None, description="Code de l’indicateur.")
    projet: int | None = Field(None, ge=1, description="Identifiant du projet.")
    territoire: Text | None = Field(None, description="Territoire auquel se rapporte le "
                                    "chiffre (code ou « échelle-code »).")
    nature: KindCode | None = Field(None, description="context, output, outcome ou target.")


# -- answers ---------------------------------------------------------------------------


class Error(Schema):
    detail: str
    errors: dict[str, list[str]] = {}


class Ref(Schema):
    code: str
    label: str


class Axis(Ref):
    provenance: Provenance
    note: str


class Programme(Schema):
    slug: str
    title: str


class OrganisationRole(Schema):
    key: str
    name: str
    acronym: str
    siren: str
    amount_eur: float | None = None
    note: str | None = None


class TerritoryLink(Schema):
    key: str
    scale: str
    code: str = Field(description="Code officiel brut (INSEE, SIREN) ou nom court.")
    cog_year: int | None = Field(description="Millésime du référentiel du code.")
    name: str
    provenance: Provenance
    note: str


class Place(Schema):
    name: str
    address: str
    commune: str | None
    point: list[float] | None


class Point(Schema):
    coordinates: list[float]
    source: Literal["place", "territory"]
    precision: Literal["venue", "commune-centroid", "territory-centroid"]


class Contact(Schema):
    name: str
    role: str
    organisation: str
    email: str
    phone: str
    basis: str = Field("", description="Pourquoi ce contact est publié (document, accord).")


class Figure(Schema):
    id: int
    indicator: str
    label: str
    kind: KindCode
    value: float | None = Field(description="Le nombre exact ; vide pour une fourchette ou "
                                "un chiffre donné en mots.")
    value_min: float | None
    value_max: float | None
    value_text: str = Field(description="Les mots de la source.")
    unit: str
    period_start: datetime.date | None
    period_end: datetime.date | None
    territory_scale: str | None
    territory_code: str | None
    status: Literal["declared", "validated"]
    source: str
    sentence: str = Field(description="Le chiffre en une phrase, en français.")


class Project(Schema):
    id: int
    slug: str
    title: str
    title_provenance: Provenance
    title_note: str
    url: str
    summary: str
    programme: Programme | None
    call_year: int | None
    axes: list[Axis]
    themes: list[Ref]
    publics: list[Ref]
    carriers: list[OrganisationRole]
    partners: list[OrganisationRole]
    funders: list[OrganisationRole]
    start_date: datetime.date | None
    end_date: datetime.date | None
    duration_text: str
    status: StatusCode
    status_label: str
    budget_eur: float | None
    budget_text: str
    territories: list[TerritoryLink]
    broadest_scale: str
    covered_communes: int
    places: list[Place]
    point: Point | None
    contacts: list[Contact]
    key_figures: list[str]
    figures: list[Figure]
    source_document: str
    last_published_at: datetime.datetime | None
    level: int | None = None
    level_label: str | None = None
    broad: bool | None = None


class Event(Schema):
    title: str
    date: datetime.date | None
    start_time: datetime.time | None
    end_time: datetime.time | None
    place: str
    description: str


class Resource(Schema):
    kind: str
    title: str
    url: str


class Testimonial(Schema):
    quote: str
    author: str


class ProjectDetail(Project):
    description_html: str
    actions: list[str]
    objectives: list[str]
    events: list[Event]
    resources: list[Resource]
    testimonials: list[Testimonial]


class TerritoryRef(Schema):
    key: str
    scale: str
    code: str
    name: str


class Paginated(Schema):
    count: int
    page: int
    pages: int
    per_page: int
    next: str | None
    previous: str | None


class ProjectList(Paginated):
    sort: str
    territory: TerritoryRef | None
    territory_alternatives: list[TerritoryRef]
    results: list[Project]


class Level(Schema):
    level: int
    label: str
    count: int
    broad: bool


class ContextFigure(Figure):
    project_id: int | None


class TerritoryDetail(TerritoryRef):
    population: int | None
    cog_year: int | None
    centroid: list[float] | None
    bbox: list[float] | None
    page_url: str
    ancestors: list[TerritoryRef]
    contains: dict[str, int]
    projects_count: int
    projects_by_level: list[Level]
    projects_url: str
    context_figures: list[ContextFigure]
    alternatives: list[TerritoryRef]


class ProjectRole(Schema):
    project_id: int
    role: Literal["carrier", "partner", "funder"]
    amount_eur: float | None


class OrganisationOut(Schema):
    key: str
    name: str
    acronym: str
    siren: str | None
    siret: str | None
    kind: str
    website: str | None
    commune_code: str | None
    roles: list[ProjectRole]


class OrganisationList(Paginated):
    results: list[OrganisationOut]


class IndicatorValueOut(Figure):
    project_id: int | None
    indicator_label: str
    measure: str
    aggregation: str
    shared: bool
    target: float | None
    baseline: float | None
    numerator: float | None
    denominator: float | None


class IndicatorList(Paginated):
    results: list[IndicatorValueOut]


# -- the API ---------------------------------------------------------------------------


class FrenchDocs(DocsBase):
    """Interactive documentation on a page of the portal (French text around it), with
    Swagger UI from our own static files (vendored from the npm registry: no CDN)."""

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        return render(request, "portal/api_docs.html", {
            "api": api, "schema_url": self.get_openapi_url(api, kwargs),
            "swagger_settings": {"url": self.get_openapi_url(api, kwargs),
                                 "deepLinking": True, "docExpansion": "list",
                                 "defaultModelsExpandDepth": 0},
        })


class UnicodeJSON(JSONRenderer):
    """UTF-8 JSON (accents as they are, not \\u escapes), dates in ISO 8601."""

    json_dumps_params = {"ensure_ascii": False}


class PortalAPI(NinjaAPI):
    """Every answer readable from any origin, for GET only (CORS read-only)."""

    def create_response(self, request, data, *args, **kwargs):
        response = super().create_response(request, data, *args, **kwargs)
        response["Access-Control-Allow-Origin"] = "*"
        response["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
        return response


api = PortalAPI(
    title="API du portail régional des projets (Hauts-de-France)",
    version="1.0.0",
    description=(
        "API en lecture seule des projets financés par la DREETS et l’ARS Hauts-de-France "
        "(programmes 1000 premiers jours, Santé des femmes dans le Bassin minier, FAAD). "
        "JSON UTF-8, dates ISO 8601, montants en euros, codes officiels bruts (INSEE, SIREN) "
        "avec leur millésime. Licence Ouverte 2.0. Paramètre invalide : réponse 400 qui "
        "nomme le paramètre."),
    urls_namespace="api",
    openapi_url="/schema/",
    docs=FrenchDocs(),
    docs_url="/docs/",
    renderer=UnicodeJSON(),
)


@api.exception_handler(ValidationError)
def invalid_parameters(request, exc: ValidationError):
    """400, naming each parameter whose value is not valid (ninja says 422 by default)."""
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        location = [str(part) for part in error.get("loc", ()) if part not in ("query", "path")]
        name = location[0] if location else "?"
        errors.setdefault(name, []).append(error.get("msg", ""))
    return api.create_response(request, _invalid(errors), status=400)


def _invalid(errors: dict[str, list[str]]) -> dict:
    return {"detail": _("Invalid parameter: %(names)s.") % {"names": ", ".join(sorted(errors))},
            "errors": errors}


def _absolute(request, path: str) -> str:
    return request.build_absolute_uri(path)


def _page_links(request, page) -> dict:
    def url(number):
        params = request.GET.copy()
        params["page"] = number
        return _absolute(request, f"{request.path}?{params.urlencode()}")

    return {
        "count": page.paginator.count, "page": page.number, "pages": page.paginator.num_pages,
        "per_page": page.paginator.per_page,
        "next": url(page.next_page_number()) if page.has_next() else None,
        "previous": url(page.previous_page_number()) if page.has_previous() else None,
    }


def _territory_ref(territory: Territory) -> dict:
    return {"key": territory_key(territory), "scale": territory.scale, "code": territory.code,
            "name": territory.name}


def _form_errors(project_filter: ProjectFilter) -> dict[str, list[str]]:
    if not project_filter.is_bound:
        return {}
    return {name: [str(e) for e in errors] for name, errors in project_filter.form.errors.items()}


@api.get("/", summary="Sommaire de l’API", tags=["sommaire"])
def index(request):
    """Les adresses de l’API, de son contrat OpenAPI et des jeux de données."""
    return {
        "name": "API du portail régional des projets (Hauts-de-France)",
        "licence": "Licence Ouverte / Open Licence 2.0",
        "schema": _absolute(request, "/api/schema/"),
        "docs": _absolute(request, "/api/docs/"),
        "datasets": _absolute(request, "/donnees/"),
        "endpoints": [
            {"path": path, "url": _absolute(request, example), "description": text}
            for path, example, text in (
                ("/api/projets/", "/api/projets/", "Projets publiés, filtrés et paginés "
                 "comme /projets/."),
                ("/api/projets/<id>/", "/api/projets/1/", "Un projet avec tous ses champs."),
                ("/api/territoires/<code>/", "/api/territoires/commune-59491/",
                 "Un territoire : ce qui l’englobe, ce qu’il contient, ses chiffres de "
                 "contexte, les projets qui le couvrent par niveau."),
                ("/api/organisations/", "/api/organisations/", "Organisations (SIREN, SIRET) "
                 "et leurs rôles dans les projets."),
                ("/api/indicateurs/", "/api/indicateurs/", "Valeurs des indicateurs, en "
                 "nombres."),
            )
        ],
        "params": {name: field.description
                   for name, field in ProjectParams.model_fields.items()},
    }


@api.get("/projets/", response={200: ProjectList, 400: Error}, summary="Projets",
         tags=["projets"])
def projects(request, params: Query[ProjectParams]):
    """Les projets publiés, avec les mêmes filtres que la liste /projets/."""
    project_filter = ProjectFilter(request.GET or None, queryset=listing_queryset(),
                                   request=request)
    errors = _form_errors(project_filter)
    if errors:
        return Status(400, _invalid(errors))
    territory = project_filter.territory
    selection = select_page(project_filter, params.page, params.par_page)
    page, ids = selection.page, selection.ids
    results = records(ProjectPage.objects.filter(pk__in=ids), request, order=ids)
    if selection.with_level:
        levels = selection.levels
        for record in results:
            record["level"] = levels[record["id"]]
            record["level_label"] = str(level_label(record["level"]))
            record["broad"] = is_broad(record["level"], territory)
    resolution = project_filter.resolution
    return Status(200, {
        **_page_links(request, page),
        "sort": project_filter.sort,
        "territory": _territory_ref(territory) if territory else None,
        "territory_alternatives": [_territory_ref(t) for t in resolution.alternatives]
        if resolution else [],
        "results": results,
    })


@api.get("/projets/{pk}/", response={200: ProjectDetail, 404: Error}, summary="Un projet",
         tags=["projets"])
def project(request, pk: Annotated[int, Field(ge=1, le=2**31 - 1)]):
    """Un projet avec tous ses champs : actions, objectifs, événements, contacts publiés,
    ressources, chiffres clés en nombres."""
    found = records(ProjectPage.objects.live().filter(pk=pk), request)
    if not found:
        raise HttpError(404, _("No published project has this id."))
    record = found[0]
    page = ProjectPage.objects.live().get(pk=pk)
    record.update({
        "description_html": page.description,
        "actions": list(page.actions.values_list("text", flat=True)),
        "objectives": list(page.objectives.values_list("text", flat=True)),
        "events": list(page.events.values("title", "date", "start_time", "end_time", "place",
                                          "description")),
        "resources": list(page.resources.values("kind", "title", "url")),
        "testimonials": list(page.testimonials.values("quote", "author")),
    })
    return Status(200, record)


@api.get("/territoires/{code}/", response={200: TerritoryDetail, 404: Error},
         summary="Un territoire", tags=["territoires"])
def territory(request, code: Annotated[str, StringConstraints(
        min_length=1, max_length=120, pattern=r"^[^\x00-\x1f\x7f/]+$")]):
    """Ce qui englobe un territoire, ce qu’il contient, ses chiffres de contexte, et combien
    de projets le couvrent à chaque niveau (les projets : /api/projets/?territoire=<code>)."""
    resolution = resolve_territory(code)
    if resolution.territory is None:
        raise HttpError(404, _("Unknown territory."))
    place = with_context_figures(resolution.territory)
    project_filter = ProjectFilter(None, queryset=listing_queryset(), territory=place)
    key = territory_key(place)
    return Status(200, {
        **_territory_ref(place),
        "population": place.population,
        "cog_year": settings.PORTAL_REFERENCE_YEARS.get(place.scale),
        "centroid": [place.centroid_lon, place.centroid_lat] if place.has_point else None,
        "bbox": place.bbox or None,
        "page_url": _absolute(request, f"/territoires/{key}/"),
        "ancestors": [_territory_ref(t) for t in ancestors_of(place)],
        "contains": {row["scale"]: row["count"] for row in children_summary(place)},
        "projects_count": project_filter.qs.count(),
        "projects_by_level": [{"level": g["level"], "label": str(g["label"]),
                               "count": g["count"], "broad": g["broad"]}
                              for g in level_groups(project_filter)],
        "projects_url": _absolute(request, f"/api/projets/?territoire={key}"),
        "context_figures": [{**key_figure(v), "project_id": v.project_id}
                            for v in place.indicator_values.all()],
        "alternatives": [_territory_ref(t) for t in resolution.alternatives],
    })


@api.get("/organisations/", response={200: OrganisationList, 400: Error},
         summary="Organisations", tags=["organisations"])
def organisations(request, params: Query[OrganisationParams]):
    """Les organisations (porteurs, partenaires, financeurs) avec SIREN et SIRET quand ils
    sont connus, et leurs rôles dans les projets publiés."""
    queryset = Organisation.objects.order_by("name", "key").select_related("commune")
    live = ProjectPage.objects.live().public()
    if params.role:
        queryset = queryset.filter(project_roles__role=params.role,
                                   project_roles__project__in=live).distinct()
    if params.siren:
        queryset = queryset.filter(siren=params.siren)
    page = Paginator(queryset, params.par_page).get_page(params.page)
    orgs = list(page.object_list)
    roles: dict[int, list[dict]] = {}
    for role in (ProjectOrganisation.objects.filter(organisation__in=orgs, project__in=live)
                 .order_by("project_id", "sort_order")
                 .values("organisation_id", "project_id", "role", "amount_eur")):
        roles.setdefault(role.pop("organisation_id"), []).append(role)
    return Status(200, {**_page_links(request, page), "results": [{
        "key": o.key, "name": o.name, "acronym": o.acronym, "siren": o.siren or None,
        "siret": o.siret or None, "kind": o.kind, "website": o.website or None,
        "commune_code": o.commune.code if o.commune else None, "roles": roles.get(o.pk, []),
    } for o in orgs]})


@api.get("/indicateurs/", response={200: IndicatorList, 400: Error},
         summary="Valeurs des indicateurs", tags=["indicateurs"])
def indicators(request, params: Query[IndicatorParams]):
    """Chaque valeur d’indicateur (d’un projet ou d’un territoire) en nombres : valeur,
    bornes d’une fourchette, cible, valeur de référence, numérateur et dénominateur."""
    live = ProjectPage.objects.live().public()
    queryset = (IndicatorValue.objects.filter(project__isnull=True)
                | IndicatorValue.objects.filter(project__in=live))
    queryset = queryset.select_related("definition", "territory").order_by("pk")
    if params.indicateur:
        queryset = queryset.filter(definition__code=params.indicateur)
    if params.projet:
        queryset = queryset.filter(project_id=params.projet)
    if params.nature:
        queryset = queryset.filter(kind=params.nature)
    if params.territoire:
        place = resolve_territory(params.territoire).territory
        if place is None:
            return Status(400, _invalid({"territoire": [_("Unknown territory.")]}))
        queryset = queryset.filter(territory=place)
    page = Paginator(queryset, params.par_page).get_page(params.page)
    return Status(200, {**_page_links(request, page), "results": [{
        **key_figure(v), "project_id": v.project_id, "indicator_label": v.definition.label,
        "measure": v.definition.measure, "aggregation": v.definition.aggregation,
        "shared": v.definition.is_shared, "target": v.target, "baseline": v.baseline,
        "numerator": v.numerator, "denominator": v.denominator,
    } for v in page.object_list]})

