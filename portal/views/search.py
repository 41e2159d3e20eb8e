"""The one search box (header and home page): where a submitted text leads, and the JSON
suggestions its combobox shows while a person types (portal/static/portal/search.js)."""

from __future__ import annotations

from django.http import JsonResponse
from django.shortcuts import redirect
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from portal import search as service

#: Browsers and proxies may keep an answer this long (the data changes a few times a day).
SUGGESTIONS_MAX_AGE = 300


@require_safe
def search(request):
    """/recherche/?q=…: a place leads to its territory results, other words to the keyword
    results (a plain GET form: works without JavaScript)."""
    return redirect(service.search_destination(request.GET.get("q", "")[:service.MAX_LENGTH]))


def _refuse(message: str) -> JsonResponse:
    return JsonResponse({"detail": message}, status=400,
                        json_dumps_params={"ensure_ascii": False})


@require_safe
def suggestions(request):
    """/recherche/suggestions/?q=den: a few places, projects and carriers, as JSON."""
    values = request.GET.getlist("q")
    if len(values) > 1:
        return _refuse(_("Give the text to search once (one q parameter)."))
    text = " ".join((values[0] if values else "").split())
    if len(text) > service.MAX_LENGTH:
        return _refuse(_("The text to search is too long (%(max)d characters at most).")
                       % {"max": service.MAX_LENGTH})
    response = JsonResponse({"q": text, "suggestions": service.suggestions(text, request)},
                            json_dumps_params={"ensure_ascii": False})
    patch_cache_control(response, public=True, max_age=SUGGESTIONS_MAX_AGE)
    return response
