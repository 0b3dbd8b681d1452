"""``dateline serve`` as real processes: Redis fan-out between processes, resume across processes, Redis outages,
``--workers``, heartbeats and SIGTERM.

Each test gets its own database — a SQLite file, or, when the suite runs on PostgreSQL (``DATELINE_DATABASE_URL``),
a PostgreSQL database of its own on the same server, created and dropped around the test, so the servers run on
what the suite runs on without sharing the test database — and its own Redis pub/sub channel (the channel is
global to a Redis server, and other test runs may share this one).

The Redis tests run the servers with a one-hour database check (``DATELINE_LIVE_CHECK_INTERVAL``): the periodic
check would otherwise deliver every change within 1.5 s on its own, and a test could not tell Redis delivery from it.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest

from tests.conftest import missing_service

from .conftest import SseReader, replay

ROOT = Path(__file__).resolve().parents[2]
REDIS = os.environ.get("DATELINE_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
SUITE_DATABASE = os.environ.get("DATELINE_DATABASE_URL", "")
NO_PERIODIC_CHECK = 3600.0  # seconds: longer than any test, so only the broker (or a reconnect's check) delivers


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _redis_or_skip():
    import redis

    client = redis.Redis.from_url(REDIS, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError:
        missing_service(f"Redis not reachable at {REDIS}: apt-get install redis-server")
    return client


class PrivateDatabase:
    """A PostgreSQL database of the cluster's own, on the server the suite runs on; dropped when done."""

    def __init__(self, suite_url: str) -> None:
        import psycopg

        self.name = f"dateline_live_{uuid.uuid4().hex[:12]}"
        parts = urlsplit(suite_url)
        self.url = urlunsplit(parts._replace(path=f"/{self.name}"))
        self._admin = suite_url
        with psycopg.connect(self._admin, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{self.name}"')

    def drop(self) -> None:
        import psycopg

        with psycopg.connect(self._admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def metrics(url: str) -> dict[str, float]:
    """A server's /metrics as {name: value} (unlabelled samples only)."""
    values: dict[str, float] = {}
    for line in httpx.get(f"{url}/metrics", timeout=5).text.splitlines():
        if line and not line.startswith("#") and "{" not in line:
            name, _, value = line.partition(" ")
            values[name] = float(value)
    return values


class Cluster:
    def __init__(self, tmp: Path, redis_url: str | None, *, check_interval: float | None = None,
                 heartbeat_interval: float | None = None) -> None:
        dropped = ("DATELINE_DATABASE_URL", "DATELINE_REDIS_URL", "DATELINE_LIVE_CHECK_INTERVAL",
                   "DATELINE_LIVE_HEARTBEAT_INTERVAL")
        self.env = {k: v for k, v in os.environ.items() if k not in dropped}
        self.env.update(DATELINE_DATA_DIR=str(tmp), DJANGO_SETTINGS_MODULE="dateline.settings",
                        DATELINE_LOG_LEVEL="WARNING", PYTHONPATH=str(ROOT))
        self.database: PrivateDatabase | None = None
        if SUITE_DATABASE.startswith(("postgres://", "postgresql://")):
            self.database = PrivateDatabase(SUITE_DATABASE)
            self.env["DATELINE_DATABASE_URL"] = self.database.url
        if redis_url:
            self.env["DATELINE_REDIS_URL"] = redis_url
        if check_interval is not None:
            self.env["DATELINE_LIVE_CHECK_INTERVAL"] = str(check_interval)
        if heartbeat_interval is not None:
            self.env["DATELINE_LIVE_HEARTBEAT_INTERVAL"] = str(heartbeat_interval)
        self.servers: list[tuple[subprocess.Popen, str]] = []
        self.writer: subprocess.Popen | None = None
        try:
            subprocess.run([sys.executable, "-m", "dateline.cli", "manage", "migrate", "-v0"], env=self.env,
                           check=True, cwd=ROOT)
            self.writer = subprocess.Popen([sys.executable, "-m", "tests.live._writer"], env=self.env, cwd=ROOT,
                                           stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        except BaseException:
            self.close()  # the fixture never saw this cluster: drop its database here
            raise

    def ask(self, command: str) -> str:
        assert self.writer and self.writer.stdin and self.writer.stdout
        self.writer.stdin.write(command + "\n")
        self.writer.stdin.flush()
        return self.writer.stdout.readline().strip()

    def write(self, command: str) -> int:
        """Run a writer command; the blog's seq after it."""
        return int(self.ask(command))

    def state(self) -> dict:
        """The blog as the database has it: {"seq": …, "posts": {id: {…}}, "database": "sqlite" or "postgresql"}."""
        return json.loads(self.ask("state"))

    def serve(self, workers: int = 1) -> str:
        port = _free_port()
        process = subprocess.Popen(
            [sys.executable, "-m", "dateline.cli", "serve", "--port", str(port), "--workers", str(workers)],
            env=self.env, cwd=ROOT)
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"{url}/metrics", timeout=1)
                break
            except httpx.TransportError:
                assert process.poll() is None and time.monotonic() < deadline, "server did not start"
                time.sleep(0.1)
        self.servers.append((process, url))
        return url

    def close(self) -> None:
        if self.writer is not None:
            self.writer.kill()
            self.writer.wait(10)
        for process, _ in self.servers:
            if process.poll() is None:
                # SIGTERM first: a --workers supervisor stops (and reaps) its workers; SIGKILL would orphan them.
                process.terminate()
                try:
                    process.wait(10)
                except subprocess.TimeoutExpired:
                    process.kill()
            process.wait(10)
        if self.database is not None:
            self.database.drop()


@pytest.fixture
def cluster_factory(tmp_path):
    made: list[Cluster] = []

    def make(redis_url: str | None, **options) -> Cluster:
        made.append(Cluster(tmp_path, redis_url, **options))
        return made[-1]

    yield make
    for cluster in made:
        cluster.close()


class ApiWriter:
    """Writes through one server's public API (a bearer token), as a newsroom client does: every kind of change.

    Each call is one change: publish, edit, pin/unpin, delete, cycling like ``tests/live/_writer.py``."""

    def __init__(self, url: str, slug: str, token: str) -> None:
        self.client = httpx.Client(base_url=f"{url}/api/v1/blogs/{slug}",
                                   headers={"Authorization": f"Bearer {token}"}, timeout=10)
        self.posts: dict[int, tuple[bool, str]] = {}  # published post id → (pinned, ETag), oldest first
        self.counter = 0

    def _record(self, response: httpx.Response) -> dict:
        assert response.status_code in (200, 201), response.text
        body = response.json()
        if body["status"] == "published":
            self.posts[body["id"]] = (body["pinned"], response.headers["ETag"])
        else:
            self.posts.pop(body["id"], None)
        return body

    def publish(self) -> dict:
        self.counter += 1
        return self._record(self.client.post("/posts", json={"headline": f"API post {self.counter}",
                                                            "body": f"<p>{self.counter}</p>"}))

    def changes(self, count: int) -> None:
        for _ in range(count):
            step = (self.counter + 1) % 5
            ids = list(self.posts)
            if step in (1, 2) or len(ids) < 2:
                self.publish()
                continue
            self.counter += 1
            if step == 3:
                post_id = ids[-1]
                response = self.client.patch(f"/posts/{post_id}", json={"headline": f"Edited {self.counter}"},
                                             headers={"If-Match": self.posts[post_id][1]})
            elif step == 4:
                post_id = ids[0]
                pinned, tag = self.posts[post_id]
                response = self.client.patch(f"/posts/{post_id}", json={"pinned": not pinned},
                                             headers={"If-Match": tag})
            else:
                post_id = ids[1]
                response = self.client.delete(f"/posts/{post_id}", headers={"If-Match": self.posts[post_id][1]})
            self._record(response)

    def close(self) -> None:
        self.client.close()


def _channel_url() -> str:
    return f"{REDIS}?channel=dateline-test-{uuid.uuid4().hex}"


def _assert_exact(reader: SseReader, first: int, last: int) -> None:
    ids = [e.id for e in reader.events]
    assert ids == list(range(first, last + 1)), f"lost, duplicated or reordered: {ids}"


def _posts(events) -> dict:
    """What a reader page shows after applying these events, with JSON's string keys."""
    return {str(k): v for k, v in replay([e.json for e in events])["posts"].items()}


@pytest.mark.redis
def test_a_post_published_through_one_process_reaches_a_reader_of_another_through_redis(cluster_factory):
    """Published through server A's API, delivered by Redis to server B's reader: B's periodic database check is an
    hour away, B counts the broker's messages, and B never reads a gap from the database."""
    _redis_or_skip()
    cluster = cluster_factory(_channel_url(), check_interval=NO_PERIODIC_CHECK)
    base = cluster.write("setup multi")
    token = cluster.ask("token")
    a, b = cluster.serve(), cluster.serve()
    reader_a = SseReader(f"{a}/live/multi/events?after={base}").start()
    reader_b = SseReader(f"{b}/live/multi/events?after={base}").start()
    before = metrics(b)
    api = ApiWriter(a, "multi", token)
    api.publish()
    reader_b.wait_seq(base + 1)  # with no periodic check on B, only Redis can bring it
    api.changes(29)
    final = cluster.state()
    assert final["seq"] == base + 30
    # The servers share the writer's environment, so this is the database they serve from: the suite's kind.
    assert final["database"] == ("postgresql" if cluster.database else "sqlite")
    for reader in (reader_a, reader_b):
        reader.wait_seq(final["seq"])
    time.sleep(0.3)  # nothing more (no duplicates) arrives late
    for reader in (reader_a, reader_b):
        _assert_exact(reader, base + 1, final["seq"])
        assert _posts(reader.events) == final["posts"]
        reader.stop()
    after = metrics(b)
    # This test's own channel: B heard exactly the 30 changes from Redis, delivered them, and read no gap from the
    # database (a gap fill would mean Redis lost or reordered something and the database made up for it).
    assert after["dateline_live_changes_published_total"] - before["dateline_live_changes_published_total"] == 30
    assert after["dateline_live_changes_delivered_total"] - before["dateline_live_changes_delivered_total"] == 30
    assert after["dateline_live_gap_fills_total"] == before["dateline_live_gap_fills_total"] == 0
    api.close()


@pytest.mark.redis
@pytest.mark.parametrize("resume_on", ["same process", "other process"])
def test_a_reader_that_misses_50_changes_made_on_another_process_resumes_exactly(cluster_factory, resume_on):
    """A reader of B disconnects; 50 changes (publishes, edits, pins, deletes) are made through A's API; it
    reconnects with Last-Event-ID — to B or to A — and ends with exactly the database's state: every change once,
    in order."""
    _redis_or_skip()
    cluster = cluster_factory(_channel_url(), check_interval=NO_PERIODIC_CHECK)
    base = cluster.write("setup resume")
    token = cluster.ask("token")
    a, b = cluster.serve(), cluster.serve()
    api = ApiWriter(a, "resume", token)
    first = SseReader(f"{b}/live/resume/events?after={base}").start()
    api.changes(7)
    first.wait_seq(base + 7)
    first.disconnect()
    last_id = first.events[-1].id
    assert last_id == base + 7
    api.changes(50)
    final = cluster.state()
    assert final["seq"] == base + 57
    target = b if resume_on == "same process" else a
    resumed = SseReader(f"{target}/live/resume/events", headers={"Last-Event-ID": str(last_id)}).start()
    resumed.wait_seq(final["seq"])
    time.sleep(0.3)  # nothing more (no duplicates) arrives late
    seen = first.events + resumed.events
    assert [e.id for e in seen] == list(range(base + 1, final["seq"] + 1)), "lost, duplicated or reordered"
    assert {e.event for e in resumed.events} >= {"post.published", "post.updated", "post.deleted"}
    assert _posts(seen) == final["posts"]
    resumed.stop()
    api.close()


@pytest.mark.redis
def test_redis_dropping_subscriptions_mid_stream_loses_nothing(cluster_factory):
    """The server's subscription is killed three times while changes are written (only this server's: the broker
    names its connection after the channel); with no periodic check, what was published while nobody listened
    arrives by the check a resubscription triggers (or by a gap fill), exactly once, in order."""
    client = _redis_or_skip()
    cluster = cluster_factory(_channel_url(), check_interval=NO_PERIODIC_CHECK)
    base = cluster.write("setup outage")
    url = cluster.serve()
    reader = SseReader(f"{url}/live/outage/events?after={base}").start()
    seq = cluster.write("write 10")
    reader.wait_seq(seq)
    for _ in range(3):
        assert _kill_subscriptions(client, cluster.env["DATELINE_REDIS_URL"]) == 1  # the server's, no one else's
        seq = cluster.write("write 15")  # some of these are published while nobody listens
    reader.wait_seq(seq)
    time.sleep(0.5)  # nothing more (no duplicates) arrives late
    _assert_exact(reader, base + 1, seq)
    reader.stop()


def _kill_subscriptions(client, url: str) -> int:
    """Kill the pub/sub connections of the servers on this URL's channel (the broker names them after it), not
    those of other tests and runs sharing this Redis, once there are some (a server resubscribes after ~0.2 s);
    how many were killed."""
    from dateline.broker.redis import split_channel

    prefix = f"dateline-sub:{split_channel(url)[1]}:"
    deadline = time.monotonic() + 10
    while not (ids := [c["id"] for c in client.client_list(_type="pubsub") if c["name"].startswith(prefix)]):
        assert time.monotonic() < deadline, "no subscription to kill"
        time.sleep(0.05)
    for client_id in ids:
        client.client_kill_filter(_id=client_id)
    return len(ids)


class PrivateRedis:
    """A redis-server of this test's own on a free port, so it can be killed and restarted without touching the
    machine's shared Redis (which other tests and other runs use)."""

    def __init__(self, tmp: Path) -> None:
        import shutil

        self.binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        if not Path(self.binary).exists():
            missing_service("redis-server not found: apt-get install redis-server")
        self.port, self.dir = _free_port(), tmp
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        import redis

        self.process = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.dir)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while True:
            try:
                redis.Redis.from_url(self.url, socket_connect_timeout=0.5).ping()
                return
            except redis.RedisError:
                assert time.monotonic() < deadline, "private redis-server did not start"
                time.sleep(0.05)

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()  # SIGKILL: a crash, not a clean shutdown
            self.process.wait(5)


@pytest.mark.redis
def test_redis_restarted_mid_stream_loses_nothing(cluster_factory, tmp_path):
    """Redis crashes, changes are written while it is down (their publish fails), Redis comes back: every reader of
    both processes ends with every change exactly once, in order. With no periodic check, the changes written during
    the outage can only come from the database check each process makes when it resubscribes — the gap fill the
    metrics count."""
    server = PrivateRedis(tmp_path)
    server.start()
    try:
        cluster = cluster_factory(server.url, check_interval=NO_PERIODIC_CHECK)
        base = cluster.write("setup restart")
        a, b = cluster.serve(), cluster.serve()
        readers = [SseReader(f"{url}/live/restart/events?after={base}").start() for url in (a, b)]
        seq = cluster.write("write 10")
        for reader in readers:
            reader.wait_seq(seq)
        fills_before = [metrics(url)["dateline_live_gap_fills_total"] for url in (a, b)]
        server.kill()
        during = cluster.write("write 20")  # published into the void: Redis is down
        server.start()
        for reader in readers:  # the resubscription's check finds them, with nothing else written meanwhile
            reader.wait_seq(during, timeout=15)
        for url, before in zip((a, b), fills_before, strict=True):
            assert metrics(url)["dateline_live_gap_fills_total"] > before
        seq = cluster.write("write 20")  # after the restart, through Redis again
        for reader in readers:
            reader.wait_seq(seq, timeout=15)
        time.sleep(0.5)  # nothing more (no duplicates) arrives late
        for reader in readers:
            _assert_exact(reader, base + 1, seq)
            reader.stop()
    finally:
        server.kill()


def test_without_a_broker_a_change_from_another_process_arrives_by_the_database_check(cluster_factory):
    """``dateline demo`` or a script writing beside a running server on SQLite: no broker reaches the server."""
    cluster = cluster_factory(None)
    base = cluster.write("setup nobroker")
    url = cluster.serve()
    reader = SseReader(f"{url}/live/nobroker/events?after={base}").start()
    seq = cluster.write("write 12")
    reader.wait_seq(seq, timeout=6)
    _assert_exact(reader, base + 1, seq)
    reader.stop()


def test_sigterm_stops_the_server_within_5_seconds_ending_open_streams_cleanly(cluster_factory):
    """SIGTERM ends every open stream with the final chunk (EventSource reconnects elsewhere), not a broken
    connection, and the process exits within 5 s."""
    cluster = cluster_factory(None)
    cluster.write("setup stopping")
    url = cluster.serve()
    readers = [SseReader(f"{url}/live/stopping/events").start() for _ in range(3)]
    process = cluster.servers[0][0]
    started = time.monotonic()
    process.send_signal(signal.SIGTERM)
    process.wait(10)
    elapsed = time.monotonic() - started
    assert elapsed < 5, f"took {elapsed:.1f} s"
    for reader in readers:
        reader.wait_for(lambda r: r.ended or r.error is not None, timeout=2)
        assert reader.error is None, f"stream broke instead of ending: {reader.error!r}"
        assert reader.ended and reader.status == 200


def test_an_open_stream_gets_heartbeats(cluster_factory):
    """With nothing to send, a stream still gets the keep-alive comment every DATELINE_LIVE_HEARTBEAT_INTERVAL."""
    cluster = cluster_factory(None, heartbeat_interval=0.3)
    cluster.write("setup quiet")
    url = cluster.serve()
    reader = SseReader(f"{url}/live/quiet/events").start()
    reader.wait_for(lambda r: len(r.comments) >= 2, timeout=5)
    assert set(reader.comments) == {": keep-alive"}
    assert reader.events == []
    reader.stop()


def _worker_pids(supervisor: int) -> list[int]:
    """The worker processes ``dateline serve --workers`` started (multiprocessing's spawn children)."""
    children: list[int] = []
    for task in Path(f"/proc/{supervisor}/task").iterdir():
        children += [int(pid) for pid in (task / "children").read_text().split()]
    return [pid for pid in children if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()]


def _streams_held(pid: int, port: int) -> int:
    """How many established TCP connections on ``port`` the process holds (its readers)."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue  # closed meanwhile
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    held = 0
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local_port = int(fields[1].rsplit(":", 1)[1], 16)
        if local_port == port and fields[3] == "01" and fields[9] in inodes:  # 01: ESTABLISHED
            held += 1
    return held


def _readers_on_both_workers(supervisor, url: str, slug: str, after: int) -> tuple[list[int], list[SseReader]]:
    """The two workers of ``serve --workers 2``, and SSE readers of ``slug`` opened until both hold some: the kernel
    hands each connection to whichever worker accepts first."""
    port = int(url.rsplit(":", 1)[1])
    deadline = time.monotonic() + 20
    while len(workers := _worker_pids(supervisor.pid)) < 2:
        assert time.monotonic() < deadline, f"workers: {workers}"
        time.sleep(0.1)
    assert len(workers) == 2
    readers: list[SseReader] = []
    held: list[int] = []
    while len(readers) < 60:
        readers.append(SseReader(f"{url}/live/{slug}/events?after={after}").start())
        time.sleep(0.05)
        held = [_streams_held(pid, port) for pid in workers]
        if len(readers) >= 4 and all(held):
            break
    assert all(held), f"one worker holds every stream: {held}"
    return workers, readers


@pytest.mark.redis
def test_serve_with_two_workers_serves_streams_on_both_and_stops_cleanly_on_sigterm(cluster_factory):
    """``dateline serve --workers 2`` behind Redis: two worker processes accept on one port, a post published
    through the API (answered by one of them) reaches readers held by both, and SIGTERM to the supervisor stops
    everything within 5 s, every stream ending with its final chunk."""
    _redis_or_skip()
    cluster = cluster_factory(_channel_url(), check_interval=NO_PERIODIC_CHECK)
    base = cluster.write("setup workers")
    token = cluster.ask("token")
    url = cluster.serve(workers=2)
    supervisor = cluster.servers[0][0]
    workers, readers = _readers_on_both_workers(supervisor, url, "workers", base)
    api = ApiWriter(url, "workers", token)
    for _ in range(5):
        api.publish()
    for reader in readers:
        reader.wait_seq(base + 5, timeout=5)
        _assert_exact(reader, base + 1, base + 5)
    started = time.monotonic()
    supervisor.send_signal(signal.SIGTERM)
    supervisor.wait(10)
    elapsed = time.monotonic() - started
    assert elapsed < 5, f"took {elapsed:.1f} s"
    for pid in workers:  # the supervisor waits for (and reaps) its workers before it exits
        assert not Path(f"/proc/{pid}").exists(), f"worker {pid} outlived the supervisor"
    for reader in readers:
        reader.wait_for(lambda r: r.ended or r.error is not None, timeout=2)
        assert reader.error is None, f"stream broke instead of ending: {reader.error!r}"
        assert reader.ended
    api.close()


@pytest.mark.redis
def test_metrics_of_two_workers_add_up_in_one_answer(cluster_factory):
    """``--workers 2`` share one port, so a scrape reaches either worker: each answer counts the readers held by
    both and both workers' changes (each worker shares a snapshot through Redis every second)."""
    _redis_or_skip()
    cluster = cluster_factory(_channel_url(), check_interval=NO_PERIODIC_CHECK)
    base = cluster.write("setup counted")
    token = cluster.ask("token")
    url = cluster.serve(workers=2)
    workers, readers = _readers_on_both_workers(cluster.servers[0][0], url, "counted", base)
    api = ApiWriter(url, "counted", token)
    for _ in range(3):
        api.publish()
    for reader in readers:
        reader.wait_seq(base + 3, timeout=5)
    expected = {"dateline_live_readers": len(readers), "dateline_live_workers": 2,
                # both workers follow the blog: each heard and delivered the 3 changes
                "dateline_live_changes_published_total": 6, "dateline_live_changes_delivered_total": 6}
    # Whichever worker answers, the same totals: ten answers in a row must agree. A sibling's snapshot is up to a
    # second old, so the first answer that agrees may come from one worker while the other has not yet read the
    # latest snapshot (a loaded machine stretches that second); the deadline is generous, the agreement exact.
    deadline = time.monotonic() + 15
    agreeing: list[dict[str, float]] = []
    while len(agreeing) < 10:
        values = metrics(url)
        if {name: values.get(name) for name in expected} == expected:
            agreeing.append(values)
        else:
            agreeing = []
            assert time.monotonic() < deadline, f"{len(readers)} readers: {values}"
            time.sleep(0.2)
    assert all(v["dateline_live_fanout_seconds_count"] == 6 for v in agreeing), agreeing
    for reader in readers:
        reader.stop()
    api.close()
