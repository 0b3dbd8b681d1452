"""/healthz answers 200 when its dependencies answer and 503, naming what failed, when one does not."""

import pytest
from django.test import override_settings

from tests.conftest import missing_service

REDIS_URL = __import__("os").environ.get("DATELINE_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def test_healthy_without_redis(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok"}}


@pytest.mark.redis
def test_checks_redis_when_configured(client, db):
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError:
        missing_service(f"Redis not reachable at {REDIS_URL}: apt-get install redis-server")
    with override_settings(DATELINE_REDIS_URL=REDIS_URL):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "redis": "ok"}


def test_unreachable_redis_is_503(client, db):
    # port 1 on loopback: nothing listens there, so the connection is refused at once
    with override_settings(DATELINE_REDIS_URL="redis://127.0.0.1:1/0"):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "failing", "checks": {"database": "ok", "redis": "failing"}}
