"""A burst of writers on PostgreSQL (issue 11: 8): bounded connections, 201 or 503 + Retry-After, nothing lost.

Before the pool, each request thread of ``dateline serve`` kept a connection of its own for a minute
(``CONN_MAX_AGE=60``): connections grew with the number of requests, 15 concurrent writers exhausted PostgreSQL's
100, and the rest were answered 500. Now a process holds at most ``DATELINE_DATABASE_POOL_SIZE``; a request that
finds none free waits ``DATELINE_DATABASE_POOL_TIMEOUT`` and is answered 503 with Retry-After.

Runs in ``make test``'s PostgreSQL pass (the pool is PostgreSQL's): a real server on a database of its own.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.live.test_processes import SUITE_DATABASE, cluster_factory  # noqa: F401  (the fixture)

WRITERS = 200
POOL_SIZE = 8
APPLICATION = "dateline-burst-server"  # names the server's connections in pg_stat_activity

pytestmark = pytest.mark.skipif(not SUITE_DATABASE.startswith(("postgres://", "postgresql://")),
                                reason="PostgreSQL's pool: runs in the PostgreSQL pass of make test")


def test_two_hundred_concurrent_posts_hold_within_the_pool(cluster_factory):  # noqa: F811
    import psycopg

    cluster = cluster_factory(None)
    base = cluster.write("setup burst")
    token = cluster.ask("token")
    database = cluster.env["DATELINE_DATABASE_URL"]
    cluster.env.update(DATELINE_DATABASE_URL=f"{database}?application_name={APPLICATION}",
                       DATELINE_DATABASE_POOL_SIZE=str(POOL_SIZE), DATELINE_DATABASE_POOL_TIMEOUT="3")
    url = cluster.serve()

    peak = 0
    done = threading.Event()

    def watch() -> None:
        nonlocal peak
        with psycopg.connect(database, autocommit=True) as conn:
            while not done.is_set():
                count = conn.execute("SELECT count(*) FROM pg_stat_activity WHERE application_name = %s",
                                     [APPLICATION]).fetchone()[0]
                peak = max(peak, count)
                done.wait(0.02)

    start = threading.Barrier(WRITERS)

    def post(i: int) -> httpx.Response:
        with httpx.Client(base_url=url, timeout=60,
                          headers={"Authorization": f"Bearer {token}"}) as client:
            start.wait()
            return client.post("/api/v1/blogs/burst/posts",
                               json={"headline": f"Burst post {i}", "body": f"<p>Writer {i}.</p>"})

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    with ThreadPoolExecutor(WRITERS) as pool:
        answers = list(pool.map(post, range(WRITERS)))
    done.set()
    watcher.join(5)

    statuses = sorted({r.status_code for r in answers})
    assert set(statuses) <= {201, 503}, statuses
    for busy in (r for r in answers if r.status_code == 503):
        assert busy.headers["Retry-After"].isdigit() and busy.json()["error"]["code"] == "unavailable"
    acknowledged = {r.json()["id"] for r in answers if r.status_code == 201}
    assert acknowledged, "no post got through"
    assert 0 < peak <= POOL_SIZE, f"{peak} connections for a pool of {POOL_SIZE}"

    # Every acknowledged post is there, and the change log counts each exactly once, with no gap.
    state = cluster.state()
    assert acknowledged <= {int(i) for i in state["posts"]}
    assert state["seq"] == base + len(acknowledged)
    seqs = [c["seq"] for c in httpx.get(f"{url}/live/burst/changes?after={base}").json()["changes"]]
    assert seqs == list(range(base + 1, state["seq"] + 1))
    # And the process recovered by itself: it answers at once when the burst is over.
    assert httpx.get(f"{url}/healthz").status_code == 200
    print(f"{WRITERS} writers: {len(acknowledged)} x 201, {WRITERS - len(acknowledged)} x 503, "
          f"peak {peak} connections (pool {POOL_SIZE})")
