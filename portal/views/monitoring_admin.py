"""Staff view of a reporting campaign (admin « Campagnes de suivi »): the public campaign of
`indicators.campaign`, with what staff act on: the figures waiting for a validator (link to
edit each one) and the projects that have given nothing (link to their page in the editor)."""

from __future__ import annotations

import datetime

from django.shortcuts import render
from django.utils.translation import gettext as _

from indicators.campaign import campaign, campaign_years, year_is_valid
from projects.models import ProgrammePage


def campaign_admin(request):
    programmes = list(ProgrammePage.objects.live().order_by("path"))
    programme = next((p for p in programmes if p.slug == request.GET.get("programme")),
                     programmes[0] if programmes else None)
    years = campaign_years(programme) if programme else []
    year = request.GET.get("annee", "")
    year = int(year) if year.isdigit() and year_is_valid(int(year)) else (
        years[-2] if len(years) > 1 else datetime.date.today().year)
    return render(request, "portal/admin/campaign.html", {
        "header_title": _("Reporting campaigns"), "programmes": programmes,
        "programme": programme, "years": years, "year": year,
        "campaign": campaign(programme, year) if programme else None,
    })
