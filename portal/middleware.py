"""Site-wide request and response guards that belong to no view."""

import re

from django.conf import settings
from django.http import HttpResponseBadRequest, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _

# C0 control characters but tab, line feed and carriage return (which a textarea may send):
# PostgreSQL refuses NUL in text, openpyxl refuses the others, and no person types them.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
FORM_CONTENT_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
#: Addresses that answer JSON, so their 400 is JSON too (the API, the search suggestions).
JSON_PATHS = ("/api/", "/recherche/suggestions/")


def has_control_characters(text: str) -> bool:
    return CONTROL_CHARACTERS.search(text) is not None


def _bad_values(query) -> bool:
    return any(has_control_characters(key) or any(has_control_characters(v) for v in values)
               for key, values in query.lists())


class RejectControlCharactersMiddleware:
    """Answer 400 (French page) to a path, query string or form value holding a control
    character, before any view or database query sees it: such input only comes from
    scanners or broken clients, and letting it through turns into 500s further down."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self.is_bad(request):
            reason = _("The address or the form contains invisible control characters.")
            if request.path_info.startswith(JSON_PATHS):
                return api_bad_request(request, reason)
            return bad_request_response(request, reason)
        return self.get_response(request)

    @staticmethod
    def is_bad(request) -> bool:
        if has_control_characters(request.path_info) or _bad_values(request.GET):
            return True
        if request.method == "POST" and request.content_type in FORM_CONTENT_TYPES:
            return _bad_values(request.POST)
        return False


def api_bad_request(request, reason: str) -> JsonResponse:
    """The API's 400 (JSON, naming the parameters), as its own validation answers."""
    names = sorted(key for key, values in request.GET.lists()
                   if has_control_characters(key) or any(has_control_characters(v) for v in values))
    response = JsonResponse({"detail": reason, "errors": {name: [reason] for name in names}},
                            status=400, json_dumps_params={"ensure_ascii": False})
    response["Access-Control-Allow-Origin"] = "*"
    return response


def bad_request_response(request, reason: str) -> HttpResponseBadRequest:
    """The French 400 page with the reason in words."""
    html = loader.render_to_string("400.html", {"reason": reason}, request=request)
    return HttpResponseBadRequest(html)


class SecurityHeadersMiddleware:
    """Headers Django does not set itself: Permissions-Policy (browser features denied)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if settings.PERMISSIONS_POLICY:
            response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response
