"""A scheduled post survives a crash: the server is killed (SIGKILL) before the post is due, comes back on the same
database after it is due, and publishes it within one scheduler tick — the schedule is rows, not timers.

Runs a real ``dateline serve`` on its own SQLite file (the browser tests' ``Server`` helper), no browser.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from dateline.coverage.scheduler import TICK_SECONDS
from tests.browser.conftest import Server


@pytest.fixture
def server(tmp_path):
    srv = Server(tmp_path)
    srv.cli("user", "create", "desk", "--role", "editor")
    srv.cli("user", "create", "night", "--role", "reporter")
    srv.tokens = {name: srv.cli("token", "create", name).splitlines()[-1].strip() for name in ("desk", "night")}
    srv.start()
    yield srv
    srv.stop()
    srv.log.close()


def test_a_post_scheduled_before_a_crash_is_published_after_the_restart(server):
    server.token = server.tokens["desk"]
    slug = server.create_blog("Night shift")["slug"]
    server.token = server.tokens["night"]  # the reporter schedules it, and it is published in their name
    due = datetime.now(UTC) + timedelta(seconds=6)
    post = server.publish(slug, "Ferry timetable restored", publish_at=due.isoformat())
    assert post["status"] == "draft"

    server.kill()  # a crash: no graceful shutdown, nothing flushed
    assert datetime.now(UTC) < due, "the server must be down before the post is due"
    # Stay down until the post is overdue, so no in-memory timer of the old process could have published it.
    time.sleep(max(0.0, (due - datetime.now(UTC)).total_seconds()) + 1)

    server.start()  # same data dir, same database
    restarted = datetime.now(UTC)
    deadline = time.monotonic() + TICK_SECONDS * 3
    while True:
        current = server.api("GET", f"/blogs/{slug}/posts/{post['id']}").json()
        if current["status"] == "published" or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert current["status"] == "published", "not published within three scheduler ticks of the restart"
    published_at = datetime.fromisoformat(current["published_at"])
    assert due <= published_at <= restarted + timedelta(seconds=TICK_SECONDS * 3)

    # Readers get it the usual way: on the page and as exactly one change.
    assert "Ferry timetable restored" in httpx.get(f"{server.url}/live/{slug}/", timeout=10).text
    changes = httpx.get(f"{server.url}/live/{slug}/changes?after=0", timeout=10).json()["changes"]
    assert [c["type"] for c in changes] == ["post.published"]
