"""Test settings: fast hashing, local cache, database from DATABASE_URL (PostgreSQL in CI)."""

from portal.settings.base import *  # noqa: F403

SECRET_KEY = "test-only-secret-key"
DEBUG = False
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
          "fragments": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Saves do not index: tests that search index what they create (tests/conftest.py,
# `search_auto_update`), the seed indexes what it writes.
WAGTAILSEARCH_BACKENDS["default"]["AUTO_UPDATE"] = False  # noqa: F405
# Tests read `response.context` and change data inside rolled-back transactions: the page
# cache is switched on only by the tests of the page cache itself.
PAGE_CACHE_ENABLED = False
