"""Emptying every cache a request reads, for tests that measure a cold start."""

from django.core.cache import caches

from projects.selection import forget_remembered


def clear_caches() -> None:
    """Django's caches and the process's memo of choices and levels (keyed on the data
    version, which a test's rollback can give back to other data)."""
    for cache in caches.all():
        cache.clear()
    forget_remembered()


def forget_cards() -> None:
    """Empty the fragment cache of its project cards only (the header and footer stay), so
    that the next listing reads every card of its page."""
    fragments = caches["fragments"]
    for key in [key for key in fragments._cache if "project-card" in key]:
        fragments.delete(key.split(":", 2)[2])  # LocMem keys are ":<version>:<key>"
