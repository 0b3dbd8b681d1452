"""The page cache: a blog's public pages and API reads rendered once per (URL, seq) and served from memory by the edge.

A reader page, its ``.json`` twin, the share pages, the embed, the corrections log, the feeds and the public API
reads of a blog (``/api/v1/blogs/<slug>``, its ``/posts``, ``/posts/<id>`` and ``/key-points``) change only when
the blog's ``seq`` does (every change that readers can see is one change with the next seq). So the edge keeps each
answer Django gave for an anonymous GET of one of those URLs together with the seq it was rendered at, and answers
the same URL from memory while the blog's channel (``hub.py``) is still at that seq — the same check that keeps
``/changes`` answers (``changes.py``). A newer change, a compaction or the blog's deletion makes the next request
render again; nothing has to be purged.

Which URLs may be kept, and with which query parameters, is ``CACHEABLE`` (one place). Which answers are kept: the
view says so. ``edgecache.py`` (``purge_tagged`` for the reader views, ``api_read`` for the API's) names the blog
and the seq it read **before** the content (``SEQ_HEADER``: ``<blog id> <seq>``) on its ``public`` 200 answers, so
a page is never older than its seq; an answer without it, with ``Set-Cookie``, or for a request with a session
cookie or an ``Authorization`` header (a signed-in editor may see more) is passed through as Django made it.
Pages are also re-rendered after ``MAX_AGE`` seconds whatever the seq, for the little they show of other blogs (the
story's days).

Variants: the URL with its query, the host and scheme (absolute links), and the encoding: each kept answer is
compressed once, with brotli and gzip, and sent in the best one the reader accepts. The reader pages' query is
kept as sent (page cursor, ``?post=``); an API read's is cut to the parameters its view reads (``before``,
``limit``, ``status`` for ``/posts``; none for the others), in name order, and Django is given only those, so
``?x=<random>`` is the same page and cannot fill the cache. The ETag is the view's own when it sends one (the
API's strong ``"<id>-<version>"`` and ``"kp-…"``, so a writer's If-Match compares against the tag it read; the
feeds' blog-and-seq tag);
otherwise one of the content, weak (the same for every encoding). Either way a browser or CDN revalidates with a
304.

Several readers asking at once for a page not yet kept wait for one render (``_rendering``).
"""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import logging
import re
import time
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import unquote_plus

import brotli
from django.conf import settings

from dateline.live.hub import Hub
from dateline.live.lru import ByteLRU
from dateline.live.responses import header
from dateline.live.types import Receive, Scope, Send

log = logging.getLogger(__name__)

SEQ_HEADER = "X-Dateline-Seq"  # set by the views (a response header Django sends to the edge, never to readers)
_SEQ_HEADER = SEQ_HEADER.lower().encode()



@dataclass(frozen=True, slots=True)
class Cacheable:
    """URLs the edge may answer from memory to anonymous GETs (when the view marks its answer)."""
    path: re.Pattern[str]
    params: frozenset[str] | None  # the query parameters the view reads (others are dropped); None: all, as sent


_SLUG = r"(?P<slug>[-a-zA-Z0-9_]{1,120})"
CACHEABLE = (
    Cacheable(re.compile(rf"^/live/{_SLUG}(?:\.json$|/)"), None),  # reader pages, .json, feeds, share, embed
    # api/blogs.py: get_blog, get_post, get_key_points read no query; list_posts its cursor and filters.
    Cacheable(re.compile(rf"^/api/v1/blogs/{_SLUG}(?:/key-points|/posts/[0-9]{{1,18}})?$"), frozenset()),
    Cacheable(re.compile(rf"^/api/v1/blogs/{_SLUG}/posts$"), frozenset({"before", "limit", "status"})),
)
MAX_AGE = 60.0  # seconds: what a page shows of other blogs (a story's days) is at most this old
MAX_ITEM_BYTES = 4 * 1024 * 1024
_COMPRESSIBLE = (b"text/", b"application/json", b"application/feed+json", b"application/atom+xml",
                 b"application/rss+xml", b"application/xml")
# Dropped from a kept answer: the edge sets its own length, encoding, ETag and Vary; the seq header is internal.
_REPLACED = {b"content-length", b"content-encoding", b"etag", b"vary", b"last-modified", _SEQ_HEADER}

App = Callable[[Scope, Receive, Send], Awaitable[None]]


class HasHub(Protocol):
    hub: Hub


Key = tuple[str, bytes, bytes, bytes, bytes]  # slug, path, query, host, scheme


def kept_query(query: bytes, params: frozenset[str] | None) -> bytes:
    """The query string the page is kept under and Django is given: only ``params`` (by decoded name, stable-sorted
    by name so a repeated parameter keeps its order), or as sent for ``None``."""
    if params is None or not query:
        return query
    parts = [(unquote_plus(part.partition(b"=")[0].decode("latin-1")), part) for part in query.split(b"&")]
    return b"&".join(part for _, part in sorted((p for p in parts if p[0] in params), key=lambda p: p[0]))


@dataclass(slots=True)
class Page:
    blog_id: int
    seq: int
    status: int
    headers: list[tuple[bytes, bytes]]  # without the replaced ones
    identity: bytes
    gzip: bytes | None
    br: bytes | None
    etag: bytes
    made: float

    @property
    def size(self) -> int:
        return len(self.identity) + len(self.gzip or b"") + len(self.br or b"") + 1024


class PageCache:
    def __init__(self, hub_of: HasHub) -> None:
        self._hub_of = hub_of  # the edge: its hub is replaced at each startup
        self.pages: ByteLRU[Key, Page] = ByteLRU(settings.DATELINE_PAGE_CACHE_BYTES, MAX_ITEM_BYTES)
        self._rendering: dict[Key, asyncio.Future[Page | None]] = {}
        self.hits = self.misses = self.renders = 0  # tests and /metrics read them

    @property
    def hub(self) -> Hub:
        return self._hub_of.hub

    @staticmethod
    def cacheable(scope: Scope) -> tuple[str, bytes] | None:
        """The blog and kept query string of a request the cache may answer; None for any other (passed to Django
        as ever)."""
        if scope["method"] not in ("GET", "HEAD") or not settings.DATELINE_PAGE_CACHE_BYTES:
            return None
        for rule in CACHEABLE:
            if (match := rule.path.match(scope["path"])) is not None:
                break
        else:
            return None
        if header(scope, b"authorization") is not None:
            return None
        cookies = header(scope, b"cookie")
        if cookies is not None and settings.SESSION_COOKIE_NAME.encode() + b"=" in cookies:
            return None
        if settings.HTTPS_ONLY and scope.get("scheme") == "http":
            return None  # Django redirects it
        return match.group("slug"), kept_query(scope.get("query_string", b""), rule.params)

    async def serve(self, request: tuple[str, bytes], scope: Scope, receive: Receive, send: Send,
                    render: App) -> None:
        slug, query = request
        if query != scope.get("query_string", b""):
            scope = {**scope, "query_string": query}  # Django sees what the page is kept under
        key: Key = (slug, scope.get("raw_path") or scope["path"].encode(), query,
                    header(scope, b"host") or b"", scope.get("scheme", "http").encode())
        page = self._current(slug, key)
        if page is None:
            self.misses += 1
            page = await self._render(slug, key, scope, receive, send, render)
            if page is None:
                return  # answered as Django made it
        else:
            self.hits += 1
        await _send_page(page, scope, send)

    def _current(self, slug: str, key: Key) -> Page | None:
        page = self.pages.get(key)
        if page is None:
            return None
        ch = self.hub.channels.get(slug)
        if ch is None or ch.blog_id != page.blog_id or ch.last_seq != page.seq \
                or time.monotonic() - page.made > MAX_AGE:
            return None
        ch.last_used = time.monotonic()
        return page

    async def _render(self, slug: str, key: Key, scope: Scope, receive: Receive, send: Send,
                      render: App) -> Page | None:
        waiting = self._rendering.get(key)
        if waiting is not None:
            page = await asyncio.shield(waiting)
            if page is not None:
                return page
            # not keepable: this request gets its own answer from Django
        future: asyncio.Future[Page | None] = asyncio.get_running_loop().create_future()
        self._rendering[key] = future
        try:
            page = await self._fill(slug, key, scope, receive, send, render)
            future.set_result(page)
            return page
        except BaseException:
            future.set_result(None)
            raise
        finally:
            if self._rendering.get(key) is future:
                del self._rendering[key]

    async def _fill(self, slug: str, key: Key, scope: Scope, receive: Receive, send: Send,
                    render: App) -> Page | None:
        # A HEAD is rendered as a GET: its answer serves both. A validator is passed on: a view that checks it
        # (the feeds) may answer 304, which is sent and not kept.
        self.renders += 1
        inner = dict(scope)
        inner["method"] = "GET"
        start: dict[str, Any] = {}
        chunks: list[bytes] = []

        async def capture(message: MutableMapping[str, Any]) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                chunks.append(bytes(message.get("body", b"")))

        await render(inner, receive, capture)
        status = int(start.get("status", 500))
        # Django sends names as its code spelled them ("Cache-Control"); HTTP and ASGI servers compare them lowered.
        headers = [(bytes(k).lower(), bytes(v)) for k, v in start.get("headers", [])]
        body = b"".join(chunks)
        try:
            page = await self._keepable(slug, key, status, headers, body)
        except Exception:  # the channel could not be loaded (database busy): answer, keep nothing
            log.warning("page cache: could not follow %s; answered without keeping", slug, exc_info=True)
            page = None
        if page is None:  # as Django made it, minus the internal header
            out = [(k, v) for k, v in headers if k != _SEQ_HEADER]
            if scope["method"] == "HEAD":
                out = [(k, v) for k, v in out if k != b"content-length"] + [(b"content-length", b"%d" % len(body))]
            await send({"type": "http.response.start", "status": status, "headers": out})
            await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else body})
        return page

    async def _keepable(self, slug: str, key: Key, status: int, headers: list[tuple[bytes, bytes]],
                        body: bytes) -> Page | None:
        marker = next((v for k, v in headers if k == _SEQ_HEADER), None)
        if marker is None or status != 200 or any(k == b"set-cookie" for k, _ in headers):
            return None
        cache_control = next((v for k, v in headers if k == b"cache-control"), b"")
        if b"public" not in cache_control or len(body) > MAX_ITEM_BYTES:
            return None
        blog_id, seq = (int(part) for part in marker.split())
        ch = await self.hub.channel(slug)  # followed from now on: its seq is what keeps the page current
        if ch is None or ch.blog_id != blog_id:
            return None
        content_type = next((v for k, v in headers if k == b"content-type"), b"")
        compress = len(body) > 512 and content_type.startswith(_COMPRESSIBLE)
        vary = sorted({part.strip() for k, v in headers if k == b"vary" for part in v.split(b",")}
                      | {b"Accept-Encoding"})
        page = Page(blog_id, seq, status,
                    [(k, v) for k, v in headers if k not in _REPLACED] + [(b"vary", b", ".join(vary))],
                    body, gzip.compress(body, 6, mtime=0) if compress else None,
                    brotli.compress(body, quality=5) if compress else None,
                    next((v for k, v in headers if k == b"etag"), None)  # the view's own (the API's versions)
                    or b'W/"%s"' % hashlib.blake2b(body, digest_size=12).hexdigest().encode(), time.monotonic())
        if seq >= ch.last_seq:  # else a newer change arrived while Django rendered: nobody should get this one
            self.pages.put(key, page, page.size)
        return page


def internal_headers_dropped(send: Send) -> Send:
    """``send`` without the views' ``SEQ_HEADER``, for the blog URLs Django answers itself (signed-in readers)."""
    async def sending(message: MutableMapping[str, Any]) -> None:
        if message["type"] == "http.response.start":
            message = {**message, "headers": [(k, v) for k, v in message["headers"] if bytes(k).lower() != _SEQ_HEADER]}
        await send(message)
    return sending


async def _send_page(page: Page, scope: Scope, send: Send) -> None:
    if_none_match = header(scope, b"if-none-match")
    if if_none_match is not None and _matches(if_none_match, page.etag):
        await send({"type": "http.response.start", "status": 304,
                    "headers": [*page.headers, (b"etag", page.etag)]})
        await send({"type": "http.response.body", "body": b""})
        return
    body, encoding = page.identity, None
    if page.br is not None or page.gzip is not None:
        accepted = _accepted(header(scope, b"accept-encoding") or b"")
        if page.br is not None and b"br" in accepted:
            body, encoding = page.br, b"br"
        elif page.gzip is not None and b"gzip" in accepted:
            body, encoding = page.gzip, b"gzip"
    headers = [*page.headers, (b"etag", page.etag)]
    if encoding is not None:
        headers.append((b"content-encoding", encoding))
    headers.append((b"content-length", b"%d" % len(body)))
    await send({"type": "http.response.start", "status": page.status, "headers": headers})
    await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else body})


def _accepted(accept_encoding: bytes) -> set[bytes]:
    """The codings a client accepts (``q=0`` refuses one)."""
    accepted = set()
    for part in accept_encoding.lower().split(b","):
        name, _, params = part.strip().partition(b";")
        if params.replace(b" ", b"") in (b"q=0", b"q=0.0", b"q=0.00", b"q=0.000"):
            continue
        accepted.add(name.strip())
    return accepted


def _matches(if_none_match: bytes, etag: bytes) -> bool:
    bare = etag.removeprefix(b"W/")
    candidates = {tag.strip().removeprefix(b"W/") for tag in if_none_match.split(b",")}
    return b"*" in candidates or bare in candidates
