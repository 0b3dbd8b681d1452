"""The cache: per process by default, shared through Redis when ``DATELINE_REDIS_URL`` is set.

What lives in it is advisory or re-fetchable — who is editing a post (presence), oEmbed answers — so with several
serving processes (``dateline serve --workers N``) it must be shared, or an editor on one process would not see a
reporter editing the same post on another. And because it is only advisory, a Redis outage must not turn into 500s
on the desk: ``ResilientRedisCache`` answers a miss (and drops the write) while Redis is unreachable, and logs it.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache

log = logging.getLogger(__name__)


def cache_config(redis_url: str) -> dict[str, Any]:
    """Django ``CACHES``: local memory without Redis; else Redis at the same URL as the broker (minus ``channel``)."""
    if not redis_url:
        return {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    parts = urlsplit(redis_url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "channel"]
    location = urlunsplit(parts._replace(query=urlencode(query)))
    return {"default": {
        "BACKEND": "dateline.cache.ResilientRedisCache",
        "LOCATION": location,
        "KEY_PREFIX": "dateline",
        # Short timeouts: a cache that cannot answer in a second is treated as down, not waited for.
        "OPTIONS": {"socket_timeout": 1, "socket_connect_timeout": 1},
    }}


class ResilientRedisCache(RedisCache):
    """Django's Redis cache, degrading to "no cache" while Redis is unreachable."""

    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        try:
            return super().get(key, default, version)
        except Exception:  # redis.RedisError, or OSError from the socket
            log.warning("cache unavailable: get %s answered as a miss", key, exc_info=log.isEnabledFor(logging.DEBUG))
            return default

    def set(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> None:
        try:
            super().set(key, value, timeout, version)
        except Exception:
            log.warning("cache unavailable: set %s dropped", key, exc_info=log.isEnabledFor(logging.DEBUG))

    def delete(self, key: Any, version: int | None = None) -> bool:
        try:
            return bool(super().delete(key, version))
        except Exception:
            log.warning("cache unavailable: delete %s dropped", key, exc_info=log.isEnabledFor(logging.DEBUG))
            return False
