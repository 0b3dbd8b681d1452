"""The live edge: a raw ASGI app in front of Django.

``dateline.asgi`` wraps Django with it. It answers, without Django's request cycle:

* ``/live/<slug>/events`` — the SSE stream (``sse.py``);
* ``/live/<slug>/changes`` — the cacheable catch-up JSON (``changes.py``);
* ``/metrics`` — Prometheus text (``metrics.py``), for every worker of the server (``shared_metrics.py``);
* ``/static/…`` — the reader pages' assets (``static.py``);
* a blog's public pages and feeds (``/live/<slug>/…``, ``/live/<slug>.json``) and its public API reads
  (``/api/v1/blogs/<slug>``, ``…/posts``, ``…/posts/<id>``, ``…/key-points``) for anonymous readers, from memory
  while the blog is at the seq they were rendered at (``pages.py``; Django renders them once per change);

and hands everything else to Django. It also answers the ASGI lifespan protocol (Django's handler does not): on
startup it subscribes the hub to the broker and starts the database check and heartbeats; on shutdown it ends
every open stream and stops them.

Why not Django for the streams: under ASGI Django runs its sync ``request_started``/``request_finished`` receivers
through ``sync_to_async`` and holds a thread for the life of a streaming response, so 10,000 readers would be
10,000 threads. Here a reader costs a few objects and the hub writes each event to all of them in one loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import ipaddress
import logging
import re
import weakref
from collections.abc import Awaitable, Callable

from django.conf import settings

from dateline.broker import Broker, get_broker
from dateline.live import shared_metrics
from dateline.live.changes import changes_endpoint
from dateline.live.hub import Hub
from dateline.live.pages import PageCache, internal_headers_dropped
from dateline.live.responses import header, json_error, respond
from dateline.live.shared_metrics import SharedMetrics
from dateline.live.source import ChangeSource
from dateline.live.sse import events_endpoint
from dateline.live.static import STATIC, static_endpoint
from dateline.live.store import Store
from dateline.live.types import Receive, Scope, Send

log = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 2  # as Django's 503s (dateline/health.py): clients and CDNs retry soon

LIVE_PATH = re.compile(r"^/live/(?P<slug>[-a-zA-Z0-9_]{1,120})/(?P<endpoint>events|changes)$")

_edges: weakref.WeakSet[LiveEdge] = weakref.WeakSet()


class LiveEdge:
    def __init__(self, fallback: Callable[..., Awaitable[None]], *, source: ChangeSource,
                 broker: Broker | None = None, serve_static: bool = True) -> None:
        self.fallback = fallback
        self.serve_static = serve_static
        self.source = source  # the change log, read in the hub's worker threads (source.py)
        self._broker = broker
        self.hub = Hub(Store(source))
        self.pages = PageCache(self)  # the blogs' public pages, per (URL, seq): pages.py
        self.shared: SharedMetrics | None = None  # with --workers N: the siblings' metrics, through Redis
        self._loop: asyncio.AbstractEventLoop | None = None
        self._starting: tuple[asyncio.AbstractEventLoop, asyncio.Lock] | None = None
        _edges.add(self)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "http":
            path = scope["path"]
            # An https public URL makes the site https-only (settings.py): the edge's streams and files too, as
            # Django redirects its pages. /metrics stays on plain http for a local scraper.
            if settings.HTTPS_ONLY and scope.get("scheme") == "http" and path != "/metrics" and (
                    path.startswith("/live/") or (self.serve_static and path.startswith(STATIC.prefix))):
                await _to_https(scope, send)
                return
            if path.startswith(("/live/", "/api/")):
                match = LIVE_PATH.match(path)
                if match is not None:
                    slug, endpoint = match.group("slug", "endpoint")
                    match = None  # this frame lives as long as the stream: keep nothing in it that is not needed
                    if self._loop is not asyncio.get_running_loop():
                        await self._ensure_started()
                    try:
                        if endpoint == "changes":
                            await changes_endpoint(self.hub, slug, scope, send)
                            return
                        sub = await events_endpoint(self.hub, slug, scope, send)
                    except Exception:
                        await _unavailable(scope, send)
                        return
                    if sub is None:
                        return
                    # Connected readers wait here, in this frame, for the end of their stream (Subscriber.waiter):
                    # on uvicorn one future each, no coroutine below this one. The hub writes the events.
                    try:
                        while (waiting := sub.waiter(receive)) is not None:
                            await waiting
                    finally:
                        sub.detach()
                    return
                page = PageCache.cacheable(scope)
                if page is not None:  # a blog's public page or API read: from memory while the blog is at its seq
                    if self._loop is not asyncio.get_running_loop():
                        await self._ensure_started()
                    await self.pages.serve(page, scope, receive, send, self.fallback)
                    return
                await self.fallback(scope, receive, internal_headers_dropped(send))  # signed in: Django's own answer
                return
            elif path == "/metrics":
                refused = metrics_refusal(scope)
                if refused is not None:
                    await json_error(send, *refused)
                    return
                await self._ensure_started()
                siblings = await self.shared.siblings() if self.shared is not None else []
                await respond(send, 200, self.hub.metrics.render(siblings),
                              [(b"content-type", b"text/plain; version=0.0.4; charset=utf-8"),
                               (b"cache-control", b"no-store")])
                return
            elif self.serve_static and path.startswith(STATIC.prefix):
                await static_endpoint(scope, send)
                return
        elif kind == "lifespan":
            await self._lifespan(receive, send)
            return
        await self.fallback(scope, receive, send)

    # --- lifespan ----------------------------------------------------------------------------------------------

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    await self.startup()
                except Exception as exc:
                    log.exception("live edge failed to start")
                    await send({"type": "lifespan.startup.failed", "message": str(exc)})
                    return
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.shutdown()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def startup(self) -> None:
        loop = asyncio.get_running_loop()
        if self._loop is loop:
            return
        self.hub = Hub(Store(self.source))
        await self.hub.start(self._broker or get_broker())
        group = shared_metrics.worker_group
        if group and settings.DATELINE_REDIS_URL:
            self.shared = SharedMetrics(settings.DATELINE_REDIS_URL, group, self.hub.metrics)
            self.shared.start()
        self._loop = loop

    async def shutdown(self) -> None:
        if self._loop is asyncio.get_running_loop():
            await self.hub.stop()
            if self.shared is not None:
                await self.shared.stop()
                self.shared = None
            self._loop = None

    async def _ensure_started(self) -> None:
        """Start on first use when the server did not run the lifespan protocol (some test clients, other servers)."""
        loop = asyncio.get_running_loop()
        if self._loop is loop:
            return
        if self._starting is None or self._starting[0] is not loop:
            self._starting = (loop, asyncio.Lock())
        async with self._starting[1]:
            await self.startup()

    def close_streams(self) -> None:
        self.hub.close_streams()


async def _unavailable(scope: Scope, send: Send) -> None:
    """A read of the change log failed (the database is down, or its pool stayed empty): 503 and Retry-After,
    so readers' clients and a CDN retry, never a 500. Logged with the traceback, once per request."""
    log.exception("live edge: could not answer %s", scope["path"])
    # If the response had started (a stream), sending fails: the server closes the connection, the client resumes.
    with contextlib.suppress(RuntimeError):
        await json_error(send, 503, "unavailable", "The live feed is busy; try again in a moment.",
                         [(b"retry-after", b"%d" % RETRY_AFTER_SECONDS)])


async def _to_https(scope: Scope, send: Send) -> None:
    """301 to the same path and query on the public https origin."""
    query = scope.get("query_string", b"")
    target = settings.DATELINE_PUBLIC_URL.encode() + (scope.get("raw_path") or scope["path"].encode())
    if query:
        target += b"?" + query
    await respond(send, 301, b"", [(b"location", target), (b"cache-control", b"no-store")])


def metrics_refusal(scope: Scope) -> tuple[int, str, str, list[tuple[bytes, bytes]]] | None:
    """Why ``/metrics`` is not for this request, or None when it is.

    The numbers tell an outsider how many readers and writers a newsroom has, and when. With
    ``DATELINE_METRICS_TOKEN`` set, a scrape sends it as a bearer token (Prometheus ``authorization``); without
    one, only a client on this machine that came directly: a request that a proxy forwarded carries
    ``X-Forwarded-For`` (or ``Forwarded``, ``X-Real-IP``) when the proxy is set up as the README says, and its
    client address may be the proxy's own loopback address.
    """
    token = settings.DATELINE_METRICS_TOKEN
    if token:
        given = header(scope, b"authorization") or b""
        if hmac.compare_digest(given, b"Bearer " + token.encode()):
            return None
        return (401, "unauthorized", "Send the metrics token: Authorization: Bearer <DATELINE_METRICS_TOKEN>.",
                [(b"www-authenticate", b'Bearer realm="metrics"')])
    client = scope.get("client")
    forwarded = any(header(scope, name) is not None for name in (b"x-forwarded-for", b"forwarded", b"x-real-ip"))
    if client and _is_loopback(client[0]) and not forwarded:
        return None
    return (403, "forbidden", "/metrics answers only on this machine; set DATELINE_METRICS_TOKEN to scrape it "
            "from elsewhere.", [])


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def close_all_streams() -> None:
    """End every open stream of every edge in this process (called by the server when it begins shutting down)."""
    for edge in list(_edges):
        edge.close_streams()
