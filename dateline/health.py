"""``/healthz``: 200 when the database (and Redis, when configured) answer; 503 with what failed otherwise.

Load balancers take a process out of rotation on 503, so a process that lost its database stops getting readers.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse

log = logging.getLogger(__name__)


def database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except DatabaseError:
        log.warning("health check: database not answering", exc_info=True)
        return False


def redis_ok() -> bool:
    import redis

    try:
        client = redis.Redis.from_url(settings.DATELINE_REDIS_URL, socket_timeout=2, socket_connect_timeout=2)
        try:
            return bool(client.ping())
        finally:
            client.close()
    except (redis.RedisError, OSError):
        log.warning("health check: Redis not answering", exc_info=True)
        return False


def healthz(request: HttpRequest) -> JsonResponse:
    checks = {"database": "ok" if database_ok() else "failing"}
    if settings.DATELINE_REDIS_URL:
        checks["redis"] = "ok" if redis_ok() else "failing"
    healthy = all(state == "ok" for state in checks.values())
    return JsonResponse({"status": "ok" if healthy else "failing", "checks": checks}, status=200 if healthy else 503)
