"""Live edge fixtures: a real uvicorn server (uvloop + httptools) in a thread, and SSE reading helpers."""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import httpx
import pytest
import uvicorn


@dataclass
class SseEvent:
    id: int | None
    event: str
    data: str

    @property
    def json(self) -> dict:
        return json.loads(self.data)


@dataclass
class SseReader:
    """Reads an SSE stream with httpx in a background thread, collecting events and comments."""

    url: str
    headers: dict[str, str] = field(default_factory=dict)
    events: list[SseEvent] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)
    retry: int | None = None
    status: int | None = None
    ended: bool = False
    error: BaseException | None = None

    def start(self) -> SseReader:
        self._stop = threading.Event()
        self._connected = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        assert self._connected.wait(10), "SSE stream did not open"
        return self

    def _run(self) -> None:
        try:
            with httpx.Client(timeout=httpx.Timeout(30, read=60)) as client, \
                    client.stream("GET", self.url, headers=self.headers) as response:
                self._response = response
                self.status = response.status_code
                self._connected.set()
                fields: dict[str, str] = {}
                for line in response.iter_lines():
                    if self._stop.is_set():
                        return
                    if line == "":
                        if "data" in fields or "event" in fields:
                            self.events.append(SseEvent(
                                int(fields["id"]) if "id" in fields else None,
                                fields.get("event", "message"), fields.get("data", "")))
                        fields = {}
                    elif line.startswith(":"):
                        self.comments.append(line)
                    else:
                        name, _, value = line.partition(":")
                        value = value.removeprefix(" ")
                        if name == "retry":
                            self.retry = int(value)
                        elif name == "data" and "data" in fields:
                            fields["data"] += "\n" + value
                        else:
                            fields[name] = value
                self.ended = True
        except BaseException as exc:  # noqa: BLE001 (reported to the test)
            if not self._stop.is_set():  # an error after disconnect() is our own doing, not the server's
                self.error = exc
            self._connected.set()

    def wait_for(self, predicate, timeout: float = 10) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate(self):
                return
            time.sleep(0.02)
        raise AssertionError(f"timed out; got {len(self.events)} events: {[e.id for e in self.events][-20:]}")

    def wait_seq(self, seq: int, timeout: float = 10) -> None:
        self.wait_for(lambda r: any(e.id is not None and e.id >= seq for e in r.events), timeout)

    def stop(self) -> None:
        self._stop.set()

    def disconnect(self) -> None:
        """Drop the connection now, as a reader whose network went away does: the socket is shut down, so the
        server sees the disconnect and nothing more is read. ``stop`` only stops recording."""
        self._stop.set()
        response = getattr(self, "_response", None)
        stream = response.extensions.get("network_stream") if response is not None else None
        sock = stream.get_extra_info("socket") if stream is not None else None
        assert sock is not None, "no socket to shut down"
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
        self._thread.join(5)
        assert not self._thread.is_alive(), "reader thread did not end after disconnect"


@dataclass
class LiveServer:
    url: str
    server: uvicorn.Server
    edge: object


@pytest.fixture
def edge_server(transactional_db) -> Iterator[LiveServer]:
    """``dateline.asgi``'s app (live edge + Django) on uvicorn with uvloop and httptools (dateline's protocol)."""
    from dateline.asgi import django_application
    from dateline.broker import get_broker
    from dateline.changefeed import ChangeFeed
    from dateline.live.app import LiveEdge

    with run_server(LiveEdge(django_application, source=ChangeFeed(), broker=get_broker())) as live:
        yield live


@contextmanager
def run_server(edge, http: str = "dateline.live.protocol:DatelineHttpToolsProtocol") -> Iterator[LiveServer]:
    """``edge`` on uvicorn with uvloop in a thread; by default with the HTTP protocol ``dateline serve`` uses."""
    config = uvicorn.Config(edge, host="127.0.0.1", port=0, loop="uvloop", http=http, lifespan="on",
                            log_level="warning", timeout_graceful_shutdown=2)
    with run_config(config) as (url, server):
        try:
            yield LiveServer(url, server, edge)
        finally:
            edge.close_streams()


@contextmanager
def run_config(config: uvicorn.Config) -> Iterator[tuple[str, uvicorn.Server]]:
    """A uvicorn config served in a thread on a free port: (its URL, the server), until the block ends."""
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}", server
    finally:
        server.should_exit = True
        thread.join(10)


def replay(events: list[dict], initial: dict | None = None) -> dict:
    """A reader's view of a blog, built by applying change events in order (what the reader page's JS does)."""
    state = initial or {"posts": {}, "key_points": [], "blog": None}
    for data in events:
        kind = data["type"]
        if kind.startswith("post."):
            post = data["post"]
            if kind == "post.deleted":
                state["posts"].pop(post["id"], None)
            else:
                state["posts"][post["id"]] = {k: post[k] for k in ("headline", "body", "pinned", "status")}
        elif kind == "keypoints.updated":
            state["key_points"] = [p["text"] for p in data["key_points"]]
        elif kind in ("blog.updated", "blog.ended"):
            state["blog"] = {k: data["blog"][k] for k in ("title", "status")}
    return state


def db_state(blog) -> dict:
    """The same view, read from the database."""
    from dateline.coverage.models import KeyPoint, LiveBlog, Post

    blog = LiveBlog.objects.get(pk=blog.pk)
    posts = {
        p.pk: {"headline": p.headline, "body": p.body, "pinned": p.pinned, "status": p.status}
        for p in Post.objects.filter(blog=blog, status=Post.Status.PUBLISHED)
    }
    return {"posts": posts, "key_points": [k.text for k in KeyPoint.objects.filter(blog=blog)],
            "blog": {"title": blog.title, "status": blog.status}}
