"""Thin views of the catalogue outside the Wagtail page tree: exports of the filtered
listing and the territory pages. Each reads the same GET parameters as /projets/."""

from __future__ import annotations

import hashlib

from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe
from wagtail.models import Page, Site
from wagtail.views import serve as wagtail_serve

from portal import exports
from portal.listing import listing_queryset, project_listing
from portal.records import records
from portal.territory_page import (
    ancestors_of,
    children_page,
    children_summary,
    coverage_summary,
    with_context_figures,
)
from projects.filters import ProjectFilter
from projects.models import ProjectIndexPage
from projects.selection import data_version
from projects.territory import (
    is_exact,
    resolve_territory,
    suggest_territories,
    territory_key,
)

#: The Wagtail path of the project index (its public address /projets/, DESIGN.md §3).
INDEX_PATH = "projets/"
ROUTE_TIMEOUT = 3600


def project_index(request):
    """/projets/: the Wagtail project index page, served by Wagtail's own `serve` (its
    hooks, view restrictions, HTTP methods, editable page) with the route to the page read
    from the cache. Wagtail finds the site and walks the tree at every request (five
    queries, a third of the listing's); which page answers /projets/ on which site changes
    only with a publish, an unpublish or a move, which all bump the data version the route
    is keyed on (with the site root paths Wagtail itself caches, so that editing a Site
    changes the key too). The page's view restrictions (its own and its ancestors', two
    queries that Wagtail's `check_view_restrictions` hook runs before every serve) are
    cached with it: adding, changing or removing a restriction bumps every data version
    (`projects.signals`), and Wagtail still checks them against each request. Anything
    unexpected (no such page, several sites matching) leaves the route to Wagtail."""
    roots = Site.get_site_root_paths()
    digest = hashlib.sha1(f"{roots}|{request.get_host()}|{request.get_port()}".encode())
    key = f"route:{INDEX_PATH}:{data_version(request)}:{digest.hexdigest()[:16]}"
    found = cache.get(key)
    if found is None:
        route = Page.route_for_request(request, INDEX_PATH)  # Wagtail's walk, kept on request
        if route is not None and isinstance(route[0], ProjectIndexPage) and not (
                route[1] or route[2]):
            page = route[0]
            page.known_view_restrictions = list(page.get_view_restrictions())
            cache.set(key, (Site.find_for_request(request), page), ROUTE_TIMEOUT)
    else:
        request._wagtail_site, page = found
        request._wagtail_route_for_request = (page, [], {})
    return wagtail_serve(request, INDEX_PATH)


def filtered_projects(request) -> ProjectFilter:
    return ProjectFilter(request.GET or None, queryset=listing_queryset(), request=request)


#: Longest part of an export's file name that describes its filters (the whole name stays
#: well under the 255 bytes file systems accept, and readable in a downloads folder).
MAX_FILENAME_WORDS_LENGTH = 80


def export_filename(project_filter: ProjectFilter, extension: str) -> str:
    """A file name that says what the file holds, so that three downloads of three searches
    are not three `projets-2026-12-01.xlsx`: `projets-denain-femmes-enceintes-2026-12-01.xlsx`.
    Built from the filters in force, in the order of the form, slugified (ASCII only, so no
    header encoding question) and cut at a word boundary."""
    parts = []
    active = project_filter.active_filters()
    for name in ProjectFilter.SELECTING:
        if name not in active:
            continue
        value = project_filter.form.cleaned_data[name]
        if name == "territoire":
            parts.append(value.territory.name)
        elif name == "programme":
            parts.append(value.slug)
        elif hasattr(value, "__iter__") and not isinstance(value, str):
            parts.extend(str(item) for item in value)
        else:
            parts.append(str(value))
    words = slugify(" ".join(parts))[:MAX_FILENAME_WORDS_LENGTH + 1]
    if len(words) > MAX_FILENAME_WORDS_LENGTH:
        words = words[:MAX_FILENAME_WORDS_LENGTH].rpartition("-")[0] or words[
            :MAX_FILENAME_WORDS_LENGTH]
    words = words.strip("-")
    stem = "-".join(p for p in ("projets", words, project_filter.today.isoformat()) if p)
    return f"{stem}.{extension}"


def _download(content: bytes, content_type: str, extension: str,
              project_filter: ProjectFilter) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    filename = export_filename(project_filter, extension)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _filters_text(project_filter: ProjectFilter) -> list[tuple[str, str]]:
    """The filters behind an export, in words, for its "Filters" sheet."""
    lines = [(_("Address"), project_filter.request.get_full_path())]
    if project_filter.is_bound:
        for name, field in project_filter.form.fields.items():
            values = project_filter.data.getlist(name)
            if values and name in project_filter.form.cleaned_data:
                lines.append((str(field.label), ", ".join(values)))
        for name, errors in project_filter.form.errors.items():
            lines.append((_("Ignored parameter: %(name)s") % {"name": name}, " ".join(errors)))
    return lines


@require_safe
def export_csv(request):
    project_filter = filtered_projects(request)
    rows = records(project_filter.qs, request)
    return _download(exports.to_csv(rows), "text/csv; charset=utf-8", "csv", project_filter)


@require_safe
def export_xlsx(request):
    project_filter = filtered_projects(request)
    rows = records(project_filter.qs, request)
    return _download(
        exports.to_xlsx(rows, _filters_text(project_filter)),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx",
        project_filter)


@require_safe
def export_geojson(request):
    project_filter = filtered_projects(request)
    collection = exports.to_geojson(records(project_filter.qs, request))
    return _download(exports.dumps(collection), "application/geo+json", "geojson",
                     project_filter)


@require_safe
def territory_index(request):
    """/territoires/?q=Denain: straight to the territory's page, or a list of candidates."""
    query = request.GET.get("q", "")
    resolution = resolve_territory(query)
    found = resolution.territory
    if found is not None and (not resolution.alternatives or is_exact(found, query)):
        return redirect("territory-page", code=territory_key(found))
    return render(request, "projects/territory_index.html", {
        "query": resolution.query,
        "candidates": ([resolution.territory, *resolution.alternatives]
                       if resolution.territory else []),
        # nothing matches: the closest names ("denin" → Denain)
        "suggestions": [] if resolution.territory else suggest_territories(resolution.query),
    })


@require_safe
def territory_page(request, code: str):
    """/territoires/<code>/: what covers a territory, by level, with its context figures,
    its enclosing and enclosed territories and its coverage gaps. `code` is read like the
    `territoire` parameter ("59491", "commune-59491", "region-32", even "denain")."""
    resolution = resolve_territory(code)
    if resolution.territory is None:
        raise Http404(_("Unknown territory"))
    territory = with_context_figures(resolution.territory)
    context = project_listing(request, territory=territory)
    context.update({
        "territory": territory,
        "territory_key": territory_key(territory),
        "ancestors": ancestors_of(territory),
        "children_summary": children_summary(territory),
        "children": children_page(territory, request.GET.get("enfants")),
        "coverage": coverage_summary(territory),
        "territory_alternatives": resolution.alternatives,
    })
    return render(request, "projects/territory_page.html", context)
