"""Health check for the load balancer."""

import logging
import secrets

from django.core.cache import cache
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

logger = logging.getLogger("portal.health")

HEALTH_CACHE_KEY = "portal:healthz"


def database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.exception("health check: the database does not answer")
        return False
    return True


def cache_ok() -> bool:
    """True when a value written to the cache reads back. A cache down is not fatal (the
    Redis backend ignores its errors and pages are served uncached), so it is reported
    as "degraded", never as a failure of the site."""
    token = secrets.token_hex(8)
    try:
        cache.set(HEALTH_CACHE_KEY, token, timeout=30)
        ok = cache.get(HEALTH_CACHE_KEY) == token
    except Exception:  # any backend, any failure: the site still answers without it
        logger.exception("health check: the cache failed")
        return False
    if not ok:
        logger.warning("health check: the cache does not keep values (unreachable?)")
    return ok


@never_cache
def healthz(request):
    """For the load balancer: 200 while the database answers (the cache may be "degraded"),
    503 when it does not. The body never shows hosts, ports or errors: they go to the log."""
    database = database_ok()
    body = {"status": "ok" if database else "error",
            "database": "ok" if database else "error",
            "cache": "ok" if cache_ok() else "degraded"}
    return JsonResponse(body, status=200 if database else 503)
