"""Template tags of the site shell: the generated site map and the deployment's contact."""

from django import template
from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from projects.models import ContentPage, ProgrammePage, ProjectIndexPage, ProjectPage

register = template.Library()


@register.simple_tag
def site_map():
    """Every public section of the site, for « Plan du site »: the page tree (programmes and
    their projects) plus the addresses outside it (maps, territories, monitoring, open data).
    Four queries whatever the number of projects."""
    listing = ProjectIndexPage.objects.live().first()
    programmes = list(ProgrammePage.objects.live().order_by("path"))
    projects = {}
    for project in ProjectPage.objects.live().order_by("title").only(
            "title", "url_path", "path", "programme_id"):
        projects.setdefault(project.programme_id, []).append(project)
    return {
        "listing": listing,
        "programmes": [(p, projects.get(p.pk, [])) for p in programmes],
        "sections": [
            (_("Map of the projects"), reverse("explorer")),
            (_("Areas without a project"), reverse("coverage")),
            (_("Territories"), reverse("territory-index")),
            (_("Monitoring of the programmes"), reverse("indicators:monitoring")),
            # The API's routes belong to django-ninja's own namespace: its stable address.
            (_("Open data (API)"), "/api/"),
        ],
        "legal": list(ContentPage.objects.live().exclude(kind=ContentPage.Kind.SITE_MAP)
                      .order_by("path")),
    }


@register.simple_tag
def portal_contact():
    return {"email": settings.PORTAL_CONTACT_EMAIL, "hosting": settings.PORTAL_HOSTING}
