"""``/healthz``, and the 503 of an overloaded process.

``/healthz``: 200 when the database (and Redis, when configured) answer; 503 with what failed otherwise.

Load balancers take a process out of rotation on 503, so a process that lost its database stops getting readers.
Every failure of a check — not only the driver's own error classes — is a 503 naming the dependency: a health check
that answers 500 tells the balancer nothing about what is wrong.
"""

from __future__ import annotations

import logging
import sys

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import defaults

log = logging.getLogger(__name__)


def database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except Exception:  # DatabaseError, or anything else the driver raises while the database is unreachable
        log.warning("health check: database not answering", exc_info=True)
        return False


def redis_ok() -> bool:
    try:
        import redis

        from dateline.broker.redis import split_channel

        # ``?channel=name`` is ours (the pub/sub channel), not a redis-py connection option: strip it, as the
        # broker and the cache do, or redis-py refuses the URL.
        url, _channel = split_channel(settings.DATELINE_REDIS_URL)
        client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        try:
            return bool(client.ping())
        finally:
            client.close()
    except Exception:  # RedisError, OSError, or a URL redis-py cannot use (ValueError, TypeError)
        log.warning("health check: Redis not answering", exc_info=True)
        return False


def healthz(request: HttpRequest) -> JsonResponse:
    checks = {"database": "ok" if database_ok() else "failing"}
    if settings.DATELINE_REDIS_URL:
        checks["redis"] = "ok" if redis_ok() else "failing"
    healthy = all(state == "ok" for state in checks.values())
    return JsonResponse({"status": "ok" if healthy else "failing", "checks": checks}, status=200 if healthy else 503)


# --- overload: 503 with Retry-After, never a 500 ---------------------------------------------------------------

RETRY_AFTER_SECONDS = 2


def overloaded(exc: BaseException | None) -> bool:
    """The database has no connection for this request now (the pool stayed empty for its timeout, or the
    server refused a new connection): a moment later it may, so the answer is 503, not 500."""
    from psycopg_pool import PoolTimeout

    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, PoolTimeout) or "too many clients" in str(exc):
            return True
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return False


class OverloadIsAWarning(logging.Filter):
    """On ``django.request``: Django logs the exception behind every 5xx at ERROR with its traceback, but an
    overload is answered 503 with Retry-After on purpose (``server_error``), and a burst of them is the pool doing
    its job, not a bug. So each is one WARNING line; every other 5xx keeps its ERROR and traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) == 503 and record.exc_info and overloaded(record.exc_info[1]):
            record.levelno, record.levelname = logging.WARNING, "WARNING"
            record.exc_info, record.exc_text = None, None
        return True


def unavailable(request: HttpRequest) -> HttpResponse:
    """The 503 of an overloaded process: JSON for the API, a short page for people."""
    message = "Too many requests at once; try again in a moment."
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS), "Cache-Control": "no-store"}
    if request.path.startswith("/api/") or "application/json" in request.headers.get("Accept", ""):
        return JsonResponse({"error": {"code": "unavailable", "message": message}}, status=503, headers=headers)
    page = f"<!doctype html><html lang=en><meta charset=utf-8><title>Busy</title><p>{message}</p></html>"
    return HttpResponse(page, status=503, headers=headers)


def server_error(request: HttpRequest) -> HttpResponse:
    """``handler500``: Django calls it inside its ``except`` block, so the exception is at hand. An overload is
    answered 503 with Retry-After; anything else is Django's plain 500 page (logged with its traceback)."""
    if overloaded(sys.exc_info()[1]):
        return unavailable(request)
    return defaults.server_error(request)
