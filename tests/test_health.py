"""/healthz answers 200 when its dependencies answer and 503, naming what failed, when one does not — never 500."""

import logging
import os

import pytest
from django.test import override_settings

from tests.conftest import missing_service

REDIS_URL = os.environ.get("DATELINE_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _redis_or_skip() -> None:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError:
        missing_service(f"Redis not reachable at {REDIS_URL}: apt-get install redis-server")


def test_healthy_without_redis(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok"}}


@pytest.mark.redis
def test_checks_redis_when_configured(client, db):
    _redis_or_skip()
    with override_settings(DATELINE_REDIS_URL=REDIS_URL):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "redis": "ok"}


@pytest.mark.redis
def test_a_redis_url_naming_its_channel_is_healthy(client, db):
    """``?channel=name`` (documented in the README) picks the pub/sub channel; it is not a redis-py option, so the
    check must strip it rather than answer 500 (redis-py raises TypeError for an unknown keyword)."""
    _redis_or_skip()
    with override_settings(DATELINE_REDIS_URL=f"{REDIS_URL}?channel=dateline-health-test"):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "redis": "ok"}}


def test_unreachable_redis_is_503(client, db):
    # port 1 on loopback: nothing listens there, so the connection is refused at once
    with override_settings(DATELINE_REDIS_URL="redis://127.0.0.1:1/0?channel=name"):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "failing", "checks": {"database": "ok", "redis": "failing"}}


def test_an_unusable_redis_url_is_503_naming_redis(client, db):
    """A URL redis-py refuses (ValueError, not a RedisError) is a failing dependency, not a server error."""
    with override_settings(DATELINE_REDIS_URL="http://127.0.0.1:6379/0"):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "failing", "checks": {"database": "ok", "redis": "failing"}}


def test_any_redis_client_failure_is_503(client, db, monkeypatch):
    """Whatever the client raises — here a TypeError, what an unknown URL option gives — the answer is 503."""
    import redis

    def broken(*args, **kwargs):
        raise TypeError("AbstractConnection.__init__() got an unexpected keyword argument 'bogus'")

    monkeypatch.setattr(redis.Redis, "from_url", broken)
    with override_settings(DATELINE_REDIS_URL="redis://127.0.0.1:6379/0?bogus=1"):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["redis"] == "failing"


def test_any_database_failure_is_503_naming_the_database(client, db):
    """A database check that fails with something other than DatabaseError still answers 503, not 500."""
    from unittest import mock

    from django.db import connection

    # Patched only around the request: the test database's own teardown needs a working cursor.
    with mock.patch.object(connection, "cursor", side_effect=RuntimeError("driver crashed")):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "failing", "checks": {"database": "failing"}}


def _pool_timeout():
    """What Django raises when the pool stays empty: its OperationalError, caused by psycopg_pool's timeout."""
    from django.db import OperationalError
    from psycopg_pool import PoolTimeout

    try:
        raise OperationalError("couldn't get a connection after 5.00 sec") from PoolTimeout("pool timeout")
    except OperationalError as exc:
        return exc


@pytest.mark.parametrize(("path", "target"), [("/", "dateline.reader.views.render"),
                                              ("/api/v1/blogs", "dateline.api.blogs.blog_data")])
def test_an_exhausted_pool_is_503_with_retry_after_not_500(editor, path, target):
    """Pages and API alike: an empty connection pool is "busy, retry" (503 + Retry-After), not a server error."""
    from unittest import mock

    from django.test import Client

    from dateline.coverage import actions

    actions.create_blog(editor, title="Harbour fire")  # so that the API list serialises one
    with mock.patch(target, side_effect=_pool_timeout()):
        response = Client(raise_request_exception=False).get(path)
    assert response.status_code == 503
    assert response["Retry-After"].isdigit()
    if path.startswith("/api/"):
        assert response.json()["error"]["code"] == "unavailable"
    else:
        assert b"try again" in response.content


def test_any_other_error_is_still_a_500(db):
    from unittest import mock

    from django.test import Client

    with mock.patch("dateline.reader.views.render", side_effect=RuntimeError("broken")):
        response = Client(raise_request_exception=False).get("/")
    assert response.status_code == 500


class _Kept(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.records: list = []

    def emit(self, record) -> None:
        self.records.append(record)


@pytest.mark.parametrize("overload", [True, False])
def test_an_overload_is_one_warning_line_and_any_other_5xx_keeps_its_traceback(overload):
    """Django logs the exception behind every 5xx at ERROR with a traceback; a 503 for an empty pool is by design
    (a burst of them is the pool bounding the database), so it is logged as one WARNING line."""
    from django.http import HttpResponse
    from django.utils.log import log_response
    from psycopg_pool import PoolTimeout

    kept = _Kept()
    logger = logging.getLogger("django.request")
    logger.addHandler(kept)
    try:
        try:
            raise PoolTimeout("couldn't get a connection after 2.00 sec") if overload else RuntimeError("a bug")
        except Exception as error:
            status = 503 if overload else 500
            log_response("%s: %s", "error", "/api/v1/blogs", response=HttpResponse(status=status), exception=error)
    finally:
        logger.removeHandler(kept)
    (record,) = kept.records
    if overload:
        assert record.levelname == "WARNING" and record.exc_info is None
    else:
        assert record.levelname == "ERROR" and record.exc_info is not None
