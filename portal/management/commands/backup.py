"""`manage.py backup [--to backups]`: database + media in one dated folder (portal/backups.py)."""

from django.core.management.base import BaseCommand

from portal import backups


class Command(BaseCommand):
    help = "Back up the database and the media folder into a dated folder."

    def add_arguments(self, parser):
        parser.add_argument("--to", default="backups", help="parent folder (default: backups)")

    def handle(self, *args, to, **options):
        folder = backups.backup(to)
        size = sum(f.stat().st_size for f in folder.iterdir()) / 1e6
        self.stdout.write(f"Sauvegarde écrite dans {folder} ({size:.1f} Mo).")
