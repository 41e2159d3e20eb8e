"""French full-text search over projects, with Wagtail's database backend: the
`french_unaccent` configuration on PostgreSQL (accent-insensitive and stemmed: "epicerie"
finds "Épiceries", "depistage" finds "dépistages"), FTS5 on SQLite (accents folded, no stemming).

What is indexed is declared in `ProjectPage.search_fields`: title, summary, description,
actions, objectives, places, organisations, territories, themes and publics.

Ligatures fold like accents ("Restos du coeur" finds "Restos du Cœur"): on PostgreSQL the
`unaccent` dictionary of `french_unaccent` folds œ and æ both in the indexed text and in the
query (`to_tsvector('french_unaccent', 'Cœur')` is `'coeur'`); SQLite's FTS5 tokenizer does
not, so there each word with "oe"/"ae" or a ligature is searched in both spellings.
"""

from __future__ import annotations

import re

from django.db import connection
from wagtail.search.query import And, Or, PlainText

from maps.models import LIGATURES
from projects.models import ProjectPage

#: Longest query read (longer text is cut, not refused) and most words kept: a pasted
#: paragraph must not turn into a query that scans the index for seconds.
MAX_QUERY_LENGTH = 200
MAX_WORDS = 12
#: Most results ranked; the listing paginates within them.
MAX_RESULTS = 1000

#: Anything but letters and digits separates words: this also keeps the query away from the
#: syntax of the search engines (FTS5 quotes and operators, tsquery symbols).
NON_WORD = re.compile(r"[\W_]+")


def clean_query(query: str) -> str:
    words = NON_WORD.sub(" ", (query or "")[:MAX_QUERY_LENGTH]).split()
    return " ".join(words[:MAX_WORDS])


def spellings(word: str) -> list[str]:
    """The spellings of a word with or without its ligatures: "coeur" → coeur, cœur."""
    folded = word.translate(LIGATURES)
    found = [word, folded, folded.replace("oe", "œ").replace("Oe", "Œ"),
             folded.replace("ae", "æ").replace("Ae", "Æ")]
    return list(dict.fromkeys(found))


def _engine_query(query: str, operator: str):
    """The query as the backend reads it: the text itself where the index folds ligatures,
    else each word in all its spellings."""
    if connection.vendor == "postgresql":
        return query
    words = [spellings(w) for w in query.split()]
    if all(len(w) == 1 for w in words):
        return query
    parts = [PlainText(w[0]) if len(w) == 1 else Or([PlainText(s) for s in w]) for w in words]
    if len(parts) == 1:
        return parts[0]
    return And(parts) if operator == "and" else Or(parts)


def search_ids(query: str) -> list[int]:
    """Ids of live projects matching every word of the query, best first; when no project
    has them all, those matching any word (a typo in one word does not empty the list)."""
    query = clean_query(query)
    if not query:
        return []
    queryset = ProjectPage.objects.live().only("pk")
    for operator in ("and", "or"):
        ids = [p.pk for p in queryset.search(_engine_query(query, operator),
                                             operator=operator)[:MAX_RESULTS]]
        if ids or " " not in query:
            return ids
    return []
