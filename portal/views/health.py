"""Site-wide views that belong to no domain: health check and search."""

from django.db import DatabaseError, connection
from django.http import JsonResponse


def healthz(request):
    """Liveness and database check for the load balancer: 200 when a query answers, 503 not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        return JsonResponse({"status": "error", "database": str(exc)[:200]}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})
