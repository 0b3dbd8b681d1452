"""``/static/…``: the reader pages' CSS and JS, served by the edge so ``make run`` works without ``DEBUG``.

Django serves static files only with ``DEBUG`` on (``django.contrib.staticfiles`` is a development aid), and the
reader pages need their CSS and JS on a laptop demo too. Rather than routing them through Django's request cycle,
this small handler looks a path up the way ``collectstatic`` would — ``STATIC_ROOT`` first (after
``dateline manage collectstatic``), then the apps' ``static/`` folders via the staticfiles finders — and answers
with ``ETag``/``Last-Modified``, ``Cache-Control`` and 304s. In production, put nginx or a CDN in front of
``/static/`` (``collectstatic`` into ``STATIC_ROOT`` and serve it from there); this handler is then rarely asked.

Our JavaScript is written to be read — comments say why — and served minified (``rjsmin``, pure Python, no build
step): the reader's ``live.js`` goes from ~15 KB to ~10 KB, which is what the page-weight budget measures. The
minified bytes are computed once per file version and cached with an ETag that is their content hash. Files that are
already built (``*.min.js``, or with a ``.js.map`` beside them, like the editor's bundle) are served as they are:
minifying them again gains nothing and would invalidate their source map.
"""

from __future__ import annotations

import asyncio
import hashlib
import mimetypes
import os
import time
from email.utils import formatdate
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from rjsmin import jsmin

from dateline.live.responses import header, json_error, respond
from dateline.live.types import Scope, Send

CACHE_CONTROL = b"public, max-age=3600"


def find(relative: str) -> Path | None:
    """The file for a /static/ path, or None. Refuses anything that would leave the static folders."""
    if not relative or relative.endswith("/") or "\\" in relative or "\x00" in relative:
        return None
    parts = relative.split("/")
    if any(part in ("", ".", "..") for part in parts):
        return None
    root = Path(settings.STATIC_ROOT)
    candidate = root.joinpath(*parts)
    if candidate.is_file():
        return candidate
    try:
        found = finders.find(relative)
    except SuspiciousFileOperation:
        return None
    if isinstance(found, list):
        found = found[0] if found else None
    return Path(found) if found and os.path.isfile(found) else None


def minifies(path: Path) -> bool:
    """Is this a script we serve minified? Ours are; already-built bundles are not (see the module docstring)."""
    return (path.suffix == ".js" and not path.name.endswith(".min.js")
            and not path.with_name(path.name + ".map").exists())


def served_bytes(path: Path, content: bytes) -> bytes:
    """What a reader downloads for a static file: scripts minified, everything else as stored."""
    return jsmin(content) if minifies(path) else content


def content_etag(content: bytes) -> bytes:
    """A strong ETag from the served bytes, so it changes exactly when what readers get changes."""
    return b'"%s"' % hashlib.sha256(content).hexdigest()[:20].encode()


def _read(path: Path) -> tuple[bytes, os.stat_result]:
    with path.open("rb") as handle:
        stat = os.fstat(handle.fileno())
        return handle.read(), stat


class _Cached:
    """A static file held in memory: its served (for scripts: minified) bytes and response headers, re-checked
    against the disk once a second. Built once per file version, so a script is minified once, not per request."""

    __slots__ = ("path", "key", "content", "headers", "etag", "checked")

    def __init__(self, path: Path, content: bytes, stat: os.stat_result) -> None:
        self.path, self.checked = path, time.monotonic()
        self.content = served_bytes(path, content)
        self.key = (stat.st_mtime_ns, stat.st_size)
        self.etag = content_etag(self.content)
        content_type, encoding = mimetypes.guess_type(path.name)
        content_type = content_type or "application/octet-stream"
        if content_type.startswith("text/") or content_type in ("application/javascript", "application/json"):
            content_type += "; charset=utf-8"
        self.headers = [
            (b"content-type", content_type.encode()),
            (b"cache-control", CACHE_CONTROL),
            (b"etag", self.etag),
            (b"last-modified", formatdate(stat.st_mtime, usegmt=True).encode()),
            (b"x-content-type-options", b"nosniff"),
        ]
        if encoding:
            self.headers.append((b"content-encoding", encoding.encode()))


# Files found, by /static/ path: a static request is then answered from memory, without a thread hop or a disk
# read. Small (the reader and newsroom assets), bounded, and re-checked so a deploy's new files are seen in ~1 s.
_cache: dict[str, _Cached] = {}
MAX_CACHED_FILES = 256
MAX_CACHED_BYTES = 1 << 20  # per file; larger ones are read (and prepared) on each request
RECHECK_SECONDS = 1.0


async def _lookup(relative: str) -> tuple[Path, bytes, os.stat_result] | _Cached | None:
    cached = _cache.get(relative)
    if cached is not None:
        now = time.monotonic()
        if now - cached.checked < RECHECK_SECONDS:
            return cached
        try:
            current = os.stat(cached.path)  # a local stat, at most once a second per file
        except OSError:
            current = None
        if current is not None and (current.st_mtime_ns, current.st_size) == cached.key:
            cached.checked = now
            return cached
        del _cache[relative]
    path = await asyncio.to_thread(find, relative)
    if path is None:
        return None
    content, stat = await asyncio.to_thread(_read, path)
    if len(content) > MAX_CACHED_BYTES:
        return path, content, stat
    if len(_cache) >= MAX_CACHED_FILES:
        _cache.clear()
    cached = _cache[relative] = _Cached(path, content, stat)
    return cached


async def static_endpoint(scope: Scope, send: Send) -> None:
    method = scope["method"]
    if method not in ("GET", "HEAD"):
        await json_error(send, 405, "method_not_allowed", "Use GET.", [(b"allow", b"GET, HEAD")])
        return
    found = await _lookup(scope["path"][len(settings.STATIC_URL):])
    if found is None:
        await json_error(send, 404, "not_found", "No such static file.")
        return
    entry = found if isinstance(found, _Cached) else _Cached(*found)
    if header(scope, b"if-none-match") == entry.etag:
        await send({"type": "http.response.start", "status": 304, "headers": entry.headers[1:]})
        await send({"type": "http.response.body", "body": b""})
        return
    await respond(send, 200, entry.content, entry.headers, head=method == "HEAD")
