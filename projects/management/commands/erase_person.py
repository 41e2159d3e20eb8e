"""Right to erasure from the command line: `manage.py erase_person --email x@y.fr [--yes]`
(without --yes, only shows what would be erased). Same service as the admin page."""

from django.core.management.base import BaseCommand, CommandError

from projects.services import erasure


class Command(BaseCommand):
    help = "Erase a person's details from every contact and page revision (RGPD art. 17)."

    def add_arguments(self, parser):
        parser.add_argument("--name", default="")
        parser.add_argument("--email", default="")
        parser.add_argument("--phone", default="")
        parser.add_argument("--yes", action="store_true", help="really erase (else: dry run)")

    def handle(self, *args, name, email, phone, yes, **options):
        try:
            person = erasure.Person(name=name, email=email, phone=phone)
        except ValueError as exc:
            raise CommandError("Donnez --name, --email ou --phone.") from exc
        found = erasure.erase(person, by="manage.py erase_person") if yes else erasure.find(
            person)
        for contact in found.contacts:
            self.stdout.write(f"  contact #{contact.pk} : {contact.project.title}")
        verb = "effacé" if yes else "à effacer (relancez avec --yes)"
        self.stdout.write(f"{len(found.contacts)} contact(s) et {len(found.revisions)} "
                          f"révision(s) {verb}.")
