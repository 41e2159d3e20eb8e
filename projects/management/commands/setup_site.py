"""Create the home page, the site and the /projets/ listing if they are missing."""

from django.core.management.base import BaseCommand

from projects.services.site import ensure_site


class Command(BaseCommand):
    help = "Crée la page d'accueil et la liste des projets si elles manquent. Idempotent."

    def handle(self, *args, **options):
        home = ensure_site()
        self.stdout.write(self.style.SUCCESS(f"Site prêt : {home.title}"))
