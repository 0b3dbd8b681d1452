"""Shared fixtures.

Services: PostgreSQL runs the whole suite when ``DATELINE_DATABASE_URL`` points at it (``make test`` runs the suite on
SQLite and, side by side, on PostgreSQL: tests/passes.py). Redis tests use ``DATELINE_TEST_REDIS_URL`` (default redis://127.0.0.1:6379/15);
browser tests need /usr/bin/chromium. Outside CI a missing service skips its tests with a message saying what to
install; with ``CI`` or ``DATELINE_REQUIRE_SERVICES`` set, a missing service fails them instead.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

REQUIRE_SERVICES = bool(os.environ.get("CI") or os.environ.get("DATELINE_REQUIRE_SERVICES"))


def missing_service(message: str) -> None:
    """Skip (on a laptop) or fail (in CI) a test whose service is not there."""
    if REQUIRE_SERVICES:
        pytest.fail(f"required service missing in CI: {message}", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix: None) -> None:
    """On PostgreSQL, a test database of this run's own (``test_<name>_<pid>``, not pytest-django's fixed
    ``test_<name>``): two runs on one server — CI's and a developer's, or two checkouts — would otherwise drop and
    recreate the same database under each other ("database test_test already exists", then every test erroring)."""
    from django.conf import settings

    for database in settings.DATABASES.values():
        if database["ENGINE"] == "django.db.backends.postgresql":
            database.setdefault("TEST", {})["NAME"] = f"test_{database['NAME']}_{os.getpid()}"


@pytest.fixture
def actors(db):
    """One user per role."""
    from dateline.accounts.models import User

    return {
        role: User.objects.create_user(username=f"{role}1", password="pw-" + role, role=role,
                                       display_name=f"{role.title()} One")
        for role in ("admin", "editor", "reporter", "contributor")
    }


@pytest.fixture
def editor(actors):
    return actors["editor"]


@pytest.fixture
def reporter(actors):
    return actors["reporter"]


@pytest.fixture
def blog(editor):
    from dateline.coverage import actions

    return actions.create_blog(editor, title="Harbour bridge closure", time_zone="Europe/London")


@pytest.fixture(autouse=True)
def _fresh_broker() -> Iterator[None]:
    """Each test gets its own in-process broker, so no listener leaks between tests."""
    from dateline.broker import InProcessBroker, set_broker

    set_broker(InProcessBroker())
    yield
    set_broker(None)


# --- which kinds of test ran: .ci/run reads this to fail a run where a service's tests silently did not run ------

_report: dict[str, dict[str, int]] = {}


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.when != "call" and not (report.when == "setup" and report.outcome != "passed"):
        return
    kinds = [m for m in ("browser", "redis", "postgres", "nginx", "pushpin", "netns") if m in report.keywords] \
        or ["unit"]
    for kind in kinds:
        counts = _report.setdefault(kind, {"passed": 0, "failed": 0, "skipped": 0})
        counts[report.outcome] = counts.get(report.outcome, 0) + 1


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    target = os.environ.get("DATELINE_TEST_REPORT")
    if not target:
        return
    from django.db import connection

    Path(target).write_text(json.dumps({"database": connection.vendor, "kinds": _report}))


@pytest.fixture
def oembed(settings) -> Iterator[object]:
    """A local fake oEmbed provider (tests/fake_oembed.py) as the only providers, with an empty cache around it."""
    from django.core.cache import cache

    from tests.fake_oembed import FakeOEmbedProvider

    cache.clear()
    with FakeOEmbedProvider() as fake:
        settings.DATELINE_OEMBED_PROVIDERS = fake.providers()
        settings.DATELINE_OEMBED_PROVIDERS_EXTRA = []
        settings.DATELINE_OEMBED_TIMEOUT = 0.3
        yield fake
    cache.clear()
