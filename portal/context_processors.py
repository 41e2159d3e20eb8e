"""Values every page template needs: site title and the main navigation."""

from django.utils.translation import gettext_lazy as _


def portal(request):
    return {
        "site_title": _("Regional portal of funded projects"),
        "site_tagline": _("Hauts-de-France State health and social services — DREETS, ARS"),
    }
