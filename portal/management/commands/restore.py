"""`manage.py restore <folder> --yes`: replace the database and media with a backup's."""

from django.core.management.base import BaseCommand, CommandError

from maps.services.planner import refresh_statistics
from portal import backups


class Command(BaseCommand):
    help = "Restore the database and the media folder from a backup folder (replaces them)."

    def add_arguments(self, parser):
        parser.add_argument("folder")
        parser.add_argument("--yes", action="store_true", help="confirm: current data is replaced")

    def handle(self, *args, folder, yes, **options):
        if not yes:
            raise CommandError("La restauration remplace la base et les médias : ajoutez --yes.")
        backups.restore(folder)
        refresh_statistics()  # pg_restore brings the data back, not the planner's statistics
        self.stdout.write(f"Restauré depuis {folder}.")
