"""`makemessages` without fuzzy matching: msgmerge's guesses filled new strings with the French
of unrelated ones (« Site map » → « Passer la carte ») and a fuzzy entry is not shown to users
anyway, so a new string must arrive empty, to be translated by a person."""

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    msgmerge_options = [*makemessages.Command.msgmerge_options, "--no-fuzzy-matching"]
