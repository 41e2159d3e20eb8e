"""The listing computed the new way (selection once, every facet count in one grouped
statement, cards from rows) gives exactly what the previous implementation gave on the real
seed: the same projects in the same order, the same level groups, the same options with the
same counts. The previous facet algorithm is kept here, verbatim in its logic (one ORM
aggregate per facet, each re-applying every filter but its own), as the reference."""

import pytest
from django.db.models import Count, Exists, OuterRef, Q
from django.test import RequestFactory

from maps.models import normalize_name
from portal.listing import MAX_CARRIERS, listing_queryset, project_listing
from projects.filters import CARRIER, ProjectFilter, status_q, year_q
from projects.models import (
    ProgrammeAxis,
    ProgrammePage,
    ProjectOrganisation,
    ProjectPage,
    ProjectStatus,
    Public,
    Theme,
)
from projects.selection import year_range

pytestmark = pytest.mark.django_db

COMBINATIONS = [
    "",
    "territoire=59491",
    "territoire=raismes&tri=titre",
    "territoire=59",
    "territoire=region-32&statut=en-cours",
    "territoire=200042190&public=femmes-enceintes",
    "programme=faad",
    "programme=faad&axe=faad:axe-1",
    "public=femmes-enceintes&public=femmes",
    "thematique=equipement-et-alimentation--alimentation&statut=termine",
    "public=femmes&statut=inconnu&annee=2023",
    "annee=2025&tri=recent",
    "porteur=ca-porte-du-hainaut",
    "q=alimentation&programme=faad",
    "q=epicerie solidaire",
    "tri=programme&par_page=100",
    "territoire=zzzz",
    "public=unknown&annee=abc",
    "perimetre=ailleurs",
    "perimetre=tous&public=femmes-enceintes",
    "territoire=marseille",
    "territoire=59172&perimetre=region",
    "perimetre=nope",
    "territoire=59172&public=petite-enfance-et-parents",
    "public=femmes&thematique=alimentation&thematique=sante",
    "public=tous-publics&programme=faad",
]


def old_facets(project_filter):
    """{facet: [(value, count)]} as the previous `facet_options` computed them."""
    fields = project_filter.form.fields
    base = project_filter.queryset
    facets = {}

    def ids_without(name):
        return project_filter.filtered(without=(name,)).values("pk")

    def selected(name):
        return project_filter.data.getlist(name) if project_filter.is_bound else []

    if "perimetre" in fields:
        # The perimeter (issue 14): the region by default, its count over every other filter.
        n = project_filter.filtered(without=("perimetre",)).aggregate(
            region=Count("pk", filter=Q(in_home_region=True)),
            ailleurs=Count("pk", filter=Q(in_home_region=False)))
        n["tous"] = n["region"] + n["ailleurs"]
        default = "tous" if project_filter.territory is not None else "region"
        facets["perimetre"] = [("", n[default])] + [
            (value, n[value]) for value in ("region", "ailleurs", "tous") if value != default]
    if "programme" in fields:
        programmes = ProgrammePage.objects.live().filter(
            Exists(base.filter(programme=OuterRef("pk")))).annotate(
            n=Count("projects_in_programme",
                    filter=Q(projects_in_programme__in=ids_without("programme")))
        ).order_by("title")
        facets["programme"] = [(p.slug, p.n) for p in programmes]
    # Two-level vocabularies (issue 14): each family then its members, « tous publics »
    # first; an option's count is what ticking it alone gives (its members and the « tous
    # publics » projects included), by the filter's own method, one query per option.
    for name, model, through, method in (
            ("public", Public, ProjectPage.publics.through, project_filter.filter_publics),
            ("thematique", Theme, ProjectPage.themes.through, project_filter.filter_themes)):
        in_listing = Exists(through.objects.filter(
            **{model._meta.model_name: OuterRef("pk")}, projectpage__in=base.values("pk")))
        shown = set(model.objects.filter(in_listing | Q(code__in=selected(name)))
                    .values_list("pk", flat=True))
        entries = list(model.objects.order_by("label", "pk"))
        without = ProjectPage.objects.filter(pk__in=ids_without(name))

        def count(entry, method=method, without=without, model=model, name=name):
            return method(without, name, model.objects.filter(pk=entry.pk)).count()

        heads = sorted([e for e in entries if e.family_id is None],
                       key=lambda e: (not getattr(e, "universal", False), normalize_name(e.label)))
        facets[name] = []
        for head in heads:
            members = [e for e in entries if e.family_id == head.pk and e.pk in shown]
            if members or head.pk in shown:
                facets[name] += [(e.code, count(e)) for e in [head, *members]]
    axes = ProgrammeAxis.objects.select_related("programme").filter(
        Exists(ProjectPage.axes.through.objects.filter(
            programmeaxis=OuterRef("pk"), projectpage__in=base.values("pk")))
    ).annotate(n=Count("projects", filter=Q(projects__in=ids_without("axe")))).order_by(
        "programme__title", "sort_order", "pk")
    if project_filter.fixed_programme is not None:
        facets["axe"] = [(a.code, a.n) for a in axes]
    else:
        facets["axe"] = [(f"{a.programme.slug}:{a.code}", a.n) for a in axes]
    today = project_filter.today
    statuses = list(ProjectStatus)
    counts = ids_without("statut").aggregate(**{
        f"s{i}": Count("pk", filter=status_q(s, today)) for i, s in enumerate(statuses)})
    facets["statut"] = [(s.value, counts[f"s{i}"]) for i, s in enumerate(statuses)]
    years = year_range(base)
    counts = ids_without("annee").aggregate(**{
        f"y{year}": Count("pk", filter=year_q(year)) for year in years}) if years else {}
    facets["annee"] = [(str(y), counts[f"y{y}"]) for y in reversed(years)]
    carriers = (ProjectOrganisation.objects.filter(role=CARRIER,
                                                   project__in=ids_without("porteur"))
                .values("organisation__key", "organisation__name", "organisation__acronym")
                .annotate(n=Count("project_id", distinct=True))
                .order_by("-n", "organisation__name")[:MAX_CARRIERS])
    options = sorted(((c["organisation__acronym"] or c["organisation__name"],
                       c["organisation__key"], c["n"]) for c in carriers),
                     key=lambda o: o[0].casefold())
    facets["porteur"] = [(key, n) for _label, key, n in options]
    chosen = project_filter.cleaned("porteur")
    if chosen is not None and chosen.key not in {key for key, _n in facets["porteur"]}:
        facets["porteur"].insert(0, (chosen.key, 0))
    return facets


def reference(query: str, programme=None):
    request = RequestFactory().get(f"/projets/?{query}")
    project_filter = ProjectFilter(request.GET or None, queryset=listing_queryset(programme),
                                   programme=programme, request=request)
    with_level = project_filter.scope is not None
    rows = list(project_filter.qs.values_list("pk", "level") if with_level
                else project_filter.qs.values_list("pk"))
    return [r[0] for r in rows], old_facets(project_filter)


@pytest.mark.parametrize("query", COMBINATIONS)
def test_new_listing_gives_the_previous_results_counts_and_order(query):
    expected_ids, expected_facets = reference(query)
    request = RequestFactory().get(f"/projets/?{query}&par_page=100")
    context = project_listing(request)
    assert context["result_count"] == len(expected_ids)
    assert [p.pk for p in context["projects"]] == expected_ids[:100]
    assert {name: [(o.value, o.count) for o in options]
            for name, options in context["facets"].items()} == expected_facets
    if context["territory"] is not None:
        levels = dict(ProjectFilter(request.GET, queryset=listing_queryset()).qs
                      .values_list("pk", "level"))
        assert [g["count"] for g in context["level_groups"]] == [
            sum(1 for v in levels.values() if v == g["level"]) for g in context["level_groups"]]


@pytest.mark.parametrize("query", ["", "axe=priorite-5", "statut=en-cours&public=femmes"])
def test_programme_page_listing_is_unchanged(query):
    programme = ProgrammePage.objects.get(slug="1000-premiers-jours")
    expected_ids, expected_facets = reference(query, programme)
    request = RequestFactory().get(f"/1000-premiers-jours/?{query}&par_page=100")
    context = project_listing(request, programme=programme)
    assert [p.pk for p in context["projects"]] == expected_ids[:100]
    assert {name: [(o.value, o.count) for o in options]
            for name, options in context["facets"].items()} == expected_facets


def test_cards_show_what_the_page_objects_showed():
    request = RequestFactory().get("/projets/?territoire=59491&par_page=100")
    for card in project_listing(request)["projects"]:
        page = ProjectPage.objects.get(pk=card.pk)
        assert card.title == page.title and card.url == page.url
        assert card.status_label == page.status_label
        assert card.when == page.when and card.status_known == page.status_known
        assert card.programme_label == page.programme.label
        assert card.carriers == [r.organisation.name for r in page.carriers]
        assert card.publics == [p.label for p in page.publics.all()]
        assert card.covered_territories == [t.name for t in page.covered_territories]
        assert [c["email"] for c in card.published_contacts] == [
            c.email for c in page.published_contacts]
