"""The cache behind presence and oEmbed answers: shared by processes through Redis, harmless when Redis is down."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from types import SimpleNamespace

import pytest
from django.test import override_settings

from dateline.cache import cache_config
from dateline.newsroom import presence
from tests.conftest import missing_service

REDIS_URL = os.environ.get("DATELINE_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def test_without_redis_the_cache_is_per_process_memory():
    assert cache_config("")["default"]["BACKEND"].endswith("LocMemCache")


def test_the_broker_channel_parameter_is_not_passed_to_the_cache():
    config = cache_config("redis://127.0.0.1:6379/3?channel=dateline-a&ssl_cert_reqs=none")["default"]
    assert config["LOCATION"] == "redis://127.0.0.1:6379/3?ssl_cert_reqs=none"
    assert config["BACKEND"] == "dateline.cache.ResilientRedisCache"


@pytest.mark.redis
def test_presence_spans_processes_through_redis():
    """A reporter's heartbeat in another process (another ``--workers`` process) is seen by the editor here."""
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError:
        missing_service(f"Redis not reachable at {REDIS_URL}: apt-get install redis-server")
    post_id = uuid.uuid4().int % 10**9  # a key no other run shares
    other = subprocess.run(
        [sys.executable, "-c",
         "import django; django.setup()\n"
         "from types import SimpleNamespace\n"
         "from dateline.newsroom import presence\n"
         f"print(presence.beat({post_id}, SimpleNamespace(pk=901, byline='Ana Reporter')))"],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "dateline.settings", "DATELINE_REDIS_URL": REDIS_URL},
        capture_output=True, text=True, timeout=60)
    assert other.returncode == 0, other.stderr
    assert other.stdout.strip() == "[]"
    with override_settings(CACHES=cache_config(REDIS_URL)):
        assert presence.beat(post_id, SimpleNamespace(pk=902, byline="Ed Itor")) == ["Ana Reporter"]
    with override_settings(CACHES=cache_config("")):  # the per-process cache knows nobody: this is what it fixes
        assert presence.beat(post_id, SimpleNamespace(pk=902, byline="Ed Itor")) == []


def test_an_unreachable_redis_degrades_to_no_cache(caplog):
    # port 1 on loopback: nothing listens there, so the connection is refused at once
    with override_settings(CACHES=cache_config("redis://127.0.0.1:1/0")):
        from django.core.cache import cache

        assert presence.beat(7, SimpleNamespace(pk=1, byline="Ana Reporter")) == []
        cache.set("k", "v")
        assert cache.get("k", "fallback") == "fallback"
        assert cache.delete("k") is False
    assert "cache unavailable" in caplog.text
