import logging

from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger("ops")


@never_cache
@require_safe
def healthz(request):
    """Liveness for docker-compose and monitoring: 200 when the database answers, else 503.

    The cache is reported but never fails the check: pages serve without Redis.
    """
    status = {"database": "ok", "cache": "ok"}
    try:
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:
        logger.warning("Health check: database unavailable: %s", exc)
        status["database"] = "unavailable"
    try:
        cache.set("ops:healthz", "1", 10)
        if cache.get("ops:healthz") != "1":
            status["cache"] = "degraded"
    except Exception:
        status["cache"] = "degraded"
    return JsonResponse(status, status=200 if status["database"] == "ok" else 503)
