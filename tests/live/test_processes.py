"""``dateline serve`` as real processes: Redis fan-out between processes, Redis outages, and SIGTERM.

Each test gets its own SQLite file (a database several processes share) and its own Redis pub/sub channel (the
channel is global to a Redis server, and other test runs may share this one).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import pytest

from tests.conftest import missing_service

from .conftest import SseReader

ROOT = Path(__file__).resolve().parents[2]
REDIS = os.environ.get("DATELINE_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


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


class Cluster:
    def __init__(self, tmp: Path, redis_url: str | None) -> None:
        self.env = {k: v for k, v in os.environ.items() if k not in ("DATELINE_DATABASE_URL", "DATELINE_REDIS_URL")}
        self.env.update(DATELINE_DATA_DIR=str(tmp), DJANGO_SETTINGS_MODULE="dateline.settings",
                        DATELINE_LOG_LEVEL="WARNING", PYTHONPATH=str(ROOT))
        if redis_url:
            self.env["DATELINE_REDIS_URL"] = redis_url
        self.servers: list[tuple[subprocess.Popen, str]] = []
        subprocess.run([sys.executable, "-m", "dateline.cli", "manage", "migrate", "-v0"], env=self.env, check=True,
                       cwd=ROOT)
        self.writer = subprocess.Popen([sys.executable, "-m", "tests.live._writer"], env=self.env, cwd=ROOT,
                                       stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    def write(self, command: str) -> int:
        assert self.writer.stdin and self.writer.stdout
        self.writer.stdin.write(command + "\n")
        self.writer.stdin.flush()
        return int(self.writer.stdout.readline())

    def serve(self) -> str:
        port = _free_port()
        process = subprocess.Popen([sys.executable, "-m", "dateline.cli", "serve", "--port", str(port)],
                                   env=self.env, cwd=ROOT)
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 20
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
        self.writer.kill()
        for process, _ in self.servers:
            if process.poll() is None:
                process.kill()
            process.wait(10)


@pytest.fixture
def cluster_factory(tmp_path):
    made: list[Cluster] = []

    def make(redis_url: str | None) -> Cluster:
        made.append(Cluster(tmp_path, redis_url))
        return made[-1]

    yield make
    for cluster in made:
        cluster.close()


def _channel_url() -> str:
    return f"{REDIS}?channel=dateline-test-{uuid.uuid4().hex}"


def _assert_exact(reader: SseReader, first: int, last: int) -> None:
    ids = [e.id for e in reader.events]
    assert ids == list(range(first, last + 1)), f"lost, duplicated or reordered: {ids}"


@pytest.mark.redis
def test_a_change_written_by_one_process_reaches_a_reader_of_another_through_redis(cluster_factory):
    _redis_or_skip()
    cluster = cluster_factory(_channel_url())
    cluster.write("setup multi")
    a, b = cluster.serve(), cluster.serve()
    reader_a = SseReader(f"{a}/live/multi/events?after=0").start()
    reader_b = SseReader(f"{b}/live/multi/events?after=0").start()
    started = time.monotonic()
    seq = cluster.write("write 1")
    reader_b.wait_seq(seq, timeout=5)
    # Faster than the database check (every 1.5 s): it came through Redis.
    assert time.monotonic() - started < 1.2
    seq = cluster.write("write 30")
    for reader in (reader_a, reader_b):
        reader.wait_seq(seq)
        _assert_exact(reader, 1, seq)
        reader.stop()


@pytest.mark.redis
def test_redis_dropping_subscriptions_mid_stream_loses_nothing(cluster_factory):
    client = _redis_or_skip()
    cluster = cluster_factory(_channel_url())
    cluster.write("setup outage")
    url = cluster.serve()
    reader = SseReader(f"{url}/live/outage/events?after=0").start()
    seq = cluster.write("write 10")
    reader.wait_seq(seq)
    for _ in range(3):
        client.execute_command("CLIENT", "KILL", "TYPE", "pubsub")  # every subscriber loses its connection
        seq = cluster.write("write 15")  # some of these are published while nobody listens
    reader.wait_seq(seq)
    time.sleep(0.5)  # nothing more (no duplicates) arrives late
    _assert_exact(reader, 1, seq)
    reader.stop()


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
    both processes ends with every change exactly once, in order."""
    server = PrivateRedis(tmp_path)
    server.start()
    try:
        cluster = cluster_factory(server.url)
        cluster.write("setup restart")
        a, b = cluster.serve(), cluster.serve()
        readers = [SseReader(f"{url}/live/restart/events?after=0").start() for url in (a, b)]
        seq = cluster.write("write 10")
        for reader in readers:
            reader.wait_seq(seq)
        server.kill()
        seq = cluster.write("write 20")  # published into the void: Redis is down
        server.start()
        seq = cluster.write("write 20")  # after the restart, through Redis again
        for reader in readers:
            reader.wait_seq(seq, timeout=15)
        time.sleep(0.5)  # nothing more (no duplicates) arrives late
        for reader in readers:
            _assert_exact(reader, 1, seq)
            reader.stop()
    finally:
        server.kill()


def test_without_a_broker_a_change_from_another_process_arrives_by_the_database_check(cluster_factory):
    """``dateline demo`` or a script writing beside a running server on SQLite: no broker reaches the server."""
    cluster = cluster_factory(None)
    cluster.write("setup nobroker")
    url = cluster.serve()
    reader = SseReader(f"{url}/live/nobroker/events?after=0").start()
    seq = cluster.write("write 12")
    reader.wait_seq(seq, timeout=6)
    _assert_exact(reader, 1, seq)
    reader.stop()


def test_sigterm_stops_the_server_within_5_seconds_closing_open_streams(cluster_factory):
    cluster = cluster_factory(None)
    cluster.write("setup stopping")
    url = cluster.serve()
    reader = SseReader(f"{url}/live/stopping/events").start()
    process = cluster.servers[0][0]
    started = time.monotonic()
    process.send_signal(signal.SIGTERM)
    process.wait(10)
    elapsed = time.monotonic() - started
    assert elapsed < 5, f"took {elapsed:.1f} s"
    reader.wait_for(lambda r: r.ended or r.error is not None, timeout=2)
