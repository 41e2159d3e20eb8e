"""Create the staff groups per programme and the « Relecture puis publication » workflows
(idempotent; see portal/roles.py for who may do what)."""

from django.core.management.base import BaseCommand

from portal.roles import setup_roles


class Command(BaseCommand):
    help = "Crée ou complète les groupes du personnel et les workflows de relecture."

    def handle(self, *args, **options):
        self.stdout.write(setup_roles().summary())
