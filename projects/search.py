"""French full-text search over projects, with Wagtail's database backend: the
`french_unaccent` configuration on PostgreSQL (accent-insensitive and stemmed: "epicerie"
finds "Épiceries", "depistage" finds "dépistages"), FTS5 on SQLite (accents folded, no stemming).

What is indexed is declared in `ProjectPage.search_fields`: title, summary, description,
actions, objectives, places, organisations, territories, themes and publics.
"""

from __future__ import annotations

import re

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


def search_ids(query: str) -> list[int]:
    """Ids of live projects matching every word of the query, best first; when no project
    has them all, those matching any word (a typo in one word does not empty the list)."""
    query = clean_query(query)
    if not query:
        return []
    queryset = ProjectPage.objects.live().only("pk")
    for operator in ("and", "or"):
        ids = [p.pk for p in queryset.search(query, operator=operator)[:MAX_RESULTS]]
        if ids or " " not in query:
            return ids
    return []
