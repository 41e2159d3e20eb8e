"""A development-only admin account for `make run`. Refuses to run with DEBUG off, so a
production deployment never gets a known password."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

USERNAME = "admin"
PASSWORD = "admin-dev-seulement"


class Command(BaseCommand):
    help = "Crée le compte d'administration de développement (jamais en production)."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("Compte de développement refusé : DEBUG est désactivé.")
        user, created = get_user_model().objects.get_or_create(
            username=USERNAME, defaults={"email": "admin@localhost", "is_staff": True,
                                         "is_superuser": True})
        if created:
            user.set_password(PASSWORD)
            user.save()
        self.stdout.write(self.style.WARNING(
            f"Compte de DÉVELOPPEMENT UNIQUEMENT : identifiant « {USERNAME} », "
            f"mot de passe « {PASSWORD} »."))
