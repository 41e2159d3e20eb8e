"""The page tree skeleton: one Site whose root is our HomePage, with the /projets/ listing.

Idempotent: run by `make run` (through load_seed) and by `setup_site`; it replaces Wagtail's
default "Welcome" page only when that page is still the site root."""

from __future__ import annotations

from django.db import transaction
from wagtail.models import Page, Site

from projects.models import HomePage, ProjectIndexPage
from projects.services.legal_pages import ensure_legal_pages

HOME_INTRO = (
    "<p>Le portail des projets financés par les services de l'État en Hauts-de-France "
    "(DREETS, ARS) : 1000 premiers jours, santé des femmes dans le Bassin minier, aide "
    "alimentaire durable. Trouvez ce qui existe près d'une commune, pour un public, et "
    "suivez les résultats.</p>"
)


@transaction.atomic
def ensure_site() -> HomePage:
    home = HomePage.objects.first()
    if home is None:
        root = Page.get_first_root_node()
        home = HomePage(title="Portail régional des projets", slug="accueil", intro=HOME_INTRO)
        root.add_child(instance=home)
        home.save_revision().publish()
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        Site.objects.create(hostname="localhost", port=80, root_page=home, is_default_site=True,
                            site_name="Portail régional des projets")
    elif site.root_page_id != home.pk:
        old_root = site.root_page
        site.root_page = home
        site.site_name = "Portail régional des projets"
        site.save()
        if old_root.specific_class is Page and old_root.slug == "home":
            old_root.delete()  # Wagtail's placeholder "Welcome" page, never real content
    if not ProjectIndexPage.objects.exists():
        listing = ProjectIndexPage(
            title="Tous les projets", slug="projets",
            intro="Filtrez les projets par programme, territoire, public, thématique et statut.",
        )
        home.add_child(instance=listing)
        listing.save_revision().publish()
    ensure_legal_pages(home)
    return home
