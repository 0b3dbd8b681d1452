"""Several hosts (issue 12): Dateline on two hosts, nginx on a third, readers that move between hosts.

Network namespaces (tests/deploy/netns.py) on one private subnet stand for the machines:

    a, b      ``dateline serve`` on <address>:8000, sharing one PostgreSQL database and one Redis
    c         nginx with the shipped deploy/nginx/dateline.conf, upstreams a and b (deploy/procs/nginx.py)
    db        Redis (its own redis-server, bound to db's address) and a forwarder from db:5432 to the machine's
              PostgreSQL unix socket (tests/deploy/_forward.py), on a database made for this test
    client    the readers and the publisher (threads of this process moved into the namespace)

Both servers run with the periodic database check an hour away, so a change reaches another host's readers only
through Redis — or, for a reader that reconnects, through its resume by ``Last-Event-ID``. The readers here are
EventSource clients written out: they send ``Last-Event-ID`` (the last ``id:`` seen) when they reconnect, after the
``retry:`` the server sent.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest

from deploy.procs.nginx import Nginx, nginx_binary
from tests.conftest import missing_service
from tests.deploy.netns import Network, unavailable

pytestmark = [pytest.mark.netns, pytest.mark.nginx]

ROOT = Path(__file__).resolve().parents[2]
PG_SOCKET = "/var/run/postgresql/.s.PGSQL.5432"
PORT = 8000  # every host has its own network: the same port on each
NGINX_PORT = 8080
SLUG = "hosts"
READERS_THROUGH_NGINX = 30
READERS_ON_A = 10
METRICS_TOKEN = secrets.token_urlsafe(16)


def admin_url() -> str:
    suite = os.environ.get("DATELINE_DATABASE_URL", "")
    if suite.startswith(("postgres://", "postgresql://")):
        return suite
    return os.environ.get("DATELINE_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


def with_database(url: str, name: str, host: str | None = None, port: int | None = None) -> str:
    parts = urlsplit(url)
    netloc = parts.netloc
    if host:
        netloc = f"{parts.username or 'postgres'}@{host}:{port}"
    return urlunsplit(parts._replace(netloc=netloc, path=f"/{name}"))


class Reader(threading.Thread):
    """One EventSource reader in the client namespace: every event it is sent, and each (re)connection's answer."""

    def __init__(self, net: Network, url: str) -> None:
        super().__init__(daemon=True)
        self.net, self.url = net, url
        self.events: list[tuple[int | None, str, dict]] = []  # (id, event, data)
        self.answers: list[int | str] = []  # one per connection: the status, or the transport error's name
        self.stopping = threading.Event()

    @property
    def ids(self) -> list[int | None]:
        return [event[0] for event in self.events]

    def run(self) -> None:
        self.net.enter("client")
        last_id: str | None = None
        retry = 3.0
        with httpx.Client(timeout=httpx.Timeout(5)) as client:  # heartbeats come every second (see the env)
            while not self.stopping.is_set():
                headers = {"Accept": "text/event-stream"}
                if last_id is not None:
                    headers["Last-Event-ID"] = last_id
                try:
                    with client.stream("GET", self.url, headers=headers) as response:
                        self.answers.append(response.status_code)
                        if response.status_code == 200:
                            fields: dict[str, str] = {}
                            for line in response.iter_lines():
                                if self.stopping.is_set():
                                    return
                                if line == "":
                                    if "data" in fields:
                                        if "id" in fields:
                                            last_id = fields["id"]
                                        self.events.append((int(fields["id"]) if "id" in fields else None,
                                                            fields.get("event", "message"), json.loads(fields["data"])))
                                    fields = {}
                                elif not line.startswith(":"):
                                    name, _, value = line.partition(":")
                                    value = value.removeprefix(" ")
                                    if name == "retry":
                                        retry = int(value) / 1000
                                    else:
                                        fields[name] = fields[name] + "\n" + value if name in fields else value
                except httpx.TransportError as exc:
                    self.answers.append(type(exc).__name__)
                self.stopping.wait(retry)  # as EventSource: the server's retry: before reconnecting


class Publisher(threading.Thread):
    """Publishes a post every ``interval`` through ``url``'s API, from the client namespace, until stopped."""

    def __init__(self, net: Network, url: str, token: str, interval: float = 0.15) -> None:
        super().__init__(daemon=True)
        self.net, self.url, self.token, self.interval = net, url, token, interval
        self.published: list[int] = []  # post ids answered 201
        self.failed: list[int | str] = []
        self.stopping = threading.Event()

    def run(self) -> None:
        self.net.enter("client")
        with httpx.Client(base_url=f"{self.url}/api/v1/blogs/{SLUG}", timeout=10,
                          headers={"Authorization": f"Bearer {self.token}"}) as client:
            while not self.stopping.is_set():
                n = len(self.published) + len(self.failed) + 1
                try:
                    response = client.post("/posts", json={"headline": f"Post {n}", "body": f"<p>{n}</p>"})
                    if response.status_code == 201:
                        self.published.append(response.json()["id"])
                    else:  # a request in flight when its host stopped: nginx answers 503, and it is not retried
                        self.failed.append(response.status_code)
                except httpx.TransportError as exc:
                    self.failed.append(type(exc).__name__)
                self.stopping.wait(self.interval)  # under nginx's 10 writes/s per address


def wait_until(predicate: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s: {what}")
        time.sleep(0.05)


class Hosts:
    """The namespaces and every process on them; ``close`` stops them all and removes the namespaces."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.net = Network(["a", "b", "c", "db", "client"])
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self.nginx: Nginx | None = None
        self.database = f"dl_hosts_{os.getpid()}"
        self.token = ""
        self.base = 0

    def url(self, host: str) -> str:
        return f"http://{self.net.address(host)}:{NGINX_PORT if host == 'c' else PORT}"

    def get(self, url: str, **kwargs: object) -> httpx.Response:
        """A request from the client namespace."""
        with self.net.inside("client"):
            return httpx.get(url, timeout=5, **kwargs)  # type: ignore[arg-type]

    def metrics(self, host: str) -> dict[str, float]:
        text = self.get(f"{self.url(host)}/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}).text
        return {name: float(value) for name, _, value in
                (line.partition(" ") for line in text.splitlines() if line and line[0] != "#" and "{" not in line)}

    def readers(self, host: str) -> int:
        try:
            return int(self.metrics(host)["dateline_live_readers"])
        except httpx.TransportError:
            return 0

    def up(self) -> Hosts:
        import psycopg

        with psycopg.connect(admin_url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{self.database}"')
        self.net.up()
        db = self.net.address("db")
        forward = self._start("forward", "db", [sys.executable, "-m", "tests.deploy._forward", db, "5432", PG_SOCKET],
                              stdout=subprocess.PIPE)
        assert forward.stdout is not None and forward.stdout.readline().strip() == b"ready"
        # Protected mode would refuse every address but loopback: this network is the test's own.
        self._start("redis", "db", ["redis-server", "--bind", db, "--port", "6379", "--protected-mode", "no",
                                    "--save", "", "--appendonly", "no", "--dir", str(self.tmp)],
                    stdout=subprocess.DEVNULL)
        # The schema and the blog, from this (the machine's) namespace, straight to PostgreSQL.
        local = {**self.env("a"), "DATELINE_DATABASE_URL": with_database(admin_url(), self.database)}
        del local["DATELINE_REDIS_URL"]
        subprocess.run([sys.executable, "-m", "dateline.cli", "manage", "migrate", "-v0"], env=local, cwd=ROOT,
                       check=True)
        writer = subprocess.run([sys.executable, "-m", "tests.live._writer"], env=local, cwd=ROOT, check=True,
                                input=f"setup {SLUG}\ntoken\n", capture_output=True, text=True)
        seq, self.token = writer.stdout.split()
        self.base = int(seq)
        self.serve("a")
        self.serve("b")
        with self.net.inside("c"):  # forked from this thread: nginx runs on c
            media = self.tmp / "media-public"
            media.mkdir()
            self.nginx = Nginx([f"{self.net.address(h)}:{PORT}" for h in ("a", "b")], prefix=self.tmp / "nginx",
                               media_public_root=media, http_port=NGINX_PORT, host=self.net.address("c"),
                               server_name=self.net.address("c")).start()
        return self

    def env(self, host: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("DATELINE_")}
        db = self.net.address("db")
        env.update(
            PYTHONPATH=str(ROOT), DATELINE_DATA_DIR=str(self.tmp / host), DATELINE_LOG_LEVEL="WARNING",
            DATELINE_DATABASE_URL=with_database(admin_url(), self.database, db, 5432),
            DATELINE_DATABASE_POOL_SIZE="3", DATELINE_REDIS_URL=f"redis://{db}:6379/0",
            DATELINE_SECRET_KEY="several-hosts-test-" + "k" * 40, DATELINE_METRICS_TOKEN=METRICS_TOKEN,
            DATELINE_TRUSTED_PROXIES=self.net.address("c"),
            DATELINE_ALLOWED_HOSTS=",".join(self.net.address(h) for h in ("a", "b", "c")),
            DATELINE_LIVE_CHECK_INTERVAL="3600",  # only Redis (or a resume) brings a change to another host
            DATELINE_LIVE_HEARTBEAT_INTERVAL="1",  # the readers' 5 s read timeout never fires on a live stream
        )
        return env

    def _start(self, name: str, host: str, command: list[str], **kwargs: object) -> subprocess.Popen[bytes]:
        process = subprocess.Popen(self.net.exec(host) + command, cwd=ROOT, **kwargs)  # type: ignore[call-overload]
        self.processes[name] = process
        return process

    def serve(self, host: str) -> None:
        process = self._start(host, host, [sys.executable, "-m", "dateline.cli", "serve", "--host",
                                           self.net.address(host), "--port", str(PORT)], env=self.env(host))

        def healthy() -> bool:
            assert process.poll() is None, f"dateline serve on {host} exited with {process.returncode}"
            try:
                return self.get(f"{self.url(host)}/healthz").status_code == 200
            except httpx.TransportError:
                return False

        wait_until(healthy, 30, f"dateline serve on {host} answering /healthz")

    def stop(self, host: str, sig: signal.Signals) -> float:
        """Signal ``host``'s server; the seconds until it exited."""
        process = self.processes[host]
        started = time.monotonic()
        process.send_signal(sig)
        process.wait(10)
        return time.monotonic() - started

    def close(self) -> None:
        if self.nginx:
            self.nginx.stop()
        for process in self.processes.values():
            if process.poll() is None:
                process.kill()
            process.wait(10)
            for stream in (process.stdout, process.stderr):
                if stream:
                    stream.close()
        self.net.down()
        import psycopg

        with psycopg.connect(admin_url(), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')


@pytest.fixture
def hosts(tmp_path: Path) -> Iterator[Hosts]:
    reason = unavailable()
    if reason:
        missing_service(f"network namespaces: {reason}; this test needs root and iproute2 (`ip netns`)")
    if not nginx_binary():
        missing_service("nginx not installed: apt-get install -y nginx")
    from tests.services import postgres_up

    if not postgres_up(admin_url()):
        missing_service(f"PostgreSQL not reachable at {admin_url()}: apt-get install postgresql")
    made = Hosts(tmp_path)
    try:
        yield made.up()
    finally:
        made.close()


def test_readers_on_two_hosts_get_every_change_and_move_hosts_exactly_when_one_stops(hosts: Hosts):
    events = f"/live/{SLUG}/events?after={hosts.base}"
    on_a = [Reader(hosts.net, hosts.url("a") + events) for _ in range(READERS_ON_A)]
    through_nginx = [Reader(hosts.net, hosts.url("c") + events) for _ in range(READERS_THROUGH_NGINX)]
    readers = on_a + through_nginx
    publisher = Publisher(hosts.net, hosts.url("c"), hosts.token)
    try:
        for reader in readers:
            reader.start()
        wait_until(lambda: hosts.readers("a") + hosts.readers("b") == len(readers), 15, "every reader connected")
        landed = {"a": hosts.readers("a") - READERS_ON_A, "b": hosts.readers("b")}
        assert landed["a"] > 0 and landed["b"] > 0, f"nginx sent every reader to one host: {landed}"

        # (1) Published through B's API; A's readers have it from Redis (A checks the database once an hour).
        with hosts.net.inside("client"):
            created = httpx.post(f"{hosts.url('b')}/api/v1/blogs/{SLUG}/posts", timeout=10,
                                 headers={"Authorization": f"Bearer {hosts.token}"},
                                 json={"headline": "From host B", "body": "<p>B</p>"})
        assert created.status_code == 201, created.text
        first = hosts.base + 1
        wait_until(lambda: all(first in r.ids for r in readers), 10, "the post from B at every reader")
        for reader in on_a:
            assert reader.events == [(first, "post.published", reader.events[0][2])]
            assert reader.events[0][2]["post"]["id"] == created.json()["id"]
            reader.stopping.set()  # they were connected to A itself: they cannot move, so they end here
        assert hosts.metrics("a")["dateline_live_gap_fills_total"] == 0  # Redis brought it, not the database

        # (2) A stops (SIGTERM) while the publisher keeps publishing through nginx: A's readers move to B.
        publisher.start()
        wait_until(lambda: len(publisher.published) >= 10, 15, "10 posts through nginx")
        moved = time.monotonic()
        term_seconds = hosts.stop("a", signal.SIGTERM)
        wait_until(lambda: hosts.readers("b") == READERS_THROUGH_NGINX, 20, "every nginx reader on B")
        to_b = time.monotonic() - moved
        count = len(publisher.published)
        wait_until(lambda: len(publisher.published) >= count + 10, 15, "10 more posts through nginx")

        # (3) A comes back, and B dies (SIGKILL: no goodbye, the kernel closes its sockets): they move to A.
        hosts.serve("a")
        moved = time.monotonic()
        hosts.stop("b", signal.SIGKILL)
        wait_until(lambda: hosts.readers("a") == READERS_THROUGH_NGINX, 20, "every nginx reader on A")
        to_a = time.monotonic() - moved
        count = len(publisher.published)
        wait_until(lambda: len(publisher.published) >= count + 10, 15, "10 more posts through nginx")
        publisher.stopping.set()
        publisher.join(15)

        # What the database holds, from A's /changes, against what every reader saw.
        log = hosts.get(f"{hosts.url('a')}/live/{SLUG}/changes?after={hosts.base}").json()
        changes = [(c["seq"], c["type"], c["post"]["id"]) for c in log["changes"]]
        assert [seq for seq, _, _ in changes] == list(range(first, log["seq"] + 1))
        # Every 201 is in the log; a request cut off with its host may still have committed (then it is there too).
        assert set(publisher.published) <= {post for _, _, post in changes}
        wait_until(lambda: all(r.ids and r.ids[-1] == log["seq"] for r in through_nginx), 15,
                   f"every nginx reader at seq {log['seq']}")
        time.sleep(0.3)  # a duplicate sent after the last change would arrive now (not a speed assertion)
        for reader in through_nginx:
            seen = [(event_id, kind, data["post"]["id"]) for event_id, kind, data in reader.events]
            assert seen == changes, f"lost, duplicated or reordered: {reader.ids} (connections: {reader.answers})"
            assert len(reader.answers) >= 2  # it did reconnect (once per move, plus any 503 while moving)
        print(f"\nseveral hosts: {len(through_nginx)} readers through nginx ({landed['a']} on A, {landed['b']} on B "
              f"at first), {len(changes)} changes, {len(publisher.published)} posts answered 201, "
              f"{len(publisher.failed)} cut off {publisher.failed}; SIGTERM took {term_seconds:.1f} s; all on B "
              f"after {to_b:.1f} s; all on A after SIGKILL of B after {to_a:.1f} s")
    finally:
        publisher.stopping.set()
        for reader in readers:
            reader.stopping.set()
        for thread in (publisher, *readers):
            if thread.is_alive():
                thread.join(10)
