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

The reader's scripts are native ES modules (no build step), and a module's relative imports are fetched at the URL
they name. So a served module names each import with that file's content hash (``from "./events.js"`` is served as
``from "./events.js?v=<hash>"``), and ``versioned_url`` hashes the served bytes, which contain those hashes: a deploy
that changes ``events.js`` changes the URL of every module above it, up to the page's ``<script type="module">``,
and no browser combines a new module with a cached old one. ``module_graph`` lists what an entry module imports, for
``<link rel="modulepreload">`` (the browser fetches the whole graph at once instead of level by level).
"""

from __future__ import annotations

import asyncio
import hashlib
import mimetypes
import os
import posixpath
import re
import time
from email.utils import formatdate
from functools import lru_cache
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


# A relative import or re-export in (minified) module source: ``from"./x.js"``, ``import"./x.js"``. Our modules
# import only by relative path; bare names (an import map's) are left to the page.
_IMPORT = re.compile(rb"""(\b(?:from|import)\s*)(["'])(\.\.?/[^"'?#]+)\2""")


def _resolve(importer: str, specifier: str) -> str | None:
    """The /static/ path a relative import names (as the browser resolves it); None if it leaves /static/."""
    resolved = posixpath.normpath(posixpath.join(posixpath.dirname(importer), specifier))
    return None if resolved.startswith("..") else resolved


def served_bytes(path: Path, content: bytes, relative: str | None = None) -> bytes:
    """What a reader downloads for a static file: scripts minified, everything else as stored. A module's relative
    imports carry their content hash when its /static/ path (``relative``) is given (see the module docstring)."""
    if not minifies(path):
        return content
    body = jsmin(content)
    if relative is None:
        return body

    def versioned(match: re.Match[bytes]) -> bytes:
        target = _resolve(relative, match.group(3).decode())
        version = digest(target) if target else None
        if version is None:  # a missing module stays as written: the browser reports it, we do not hide it
            return match.group(0)
        return b"%s%s%s?v=%s%s" % (match.group(1), match.group(2), match.group(3), version.encode(), match.group(2))

    return _IMPORT.sub(versioned, body)


def module_imports(relative: str) -> list[str]:
    """The /static/ paths a module imports directly, in source order."""
    path = find(relative)
    if path is None or not minifies(path):
        return []
    found = (_resolve(relative, m.group(3).decode()) for m in _IMPORT.finditer(jsmin(path.read_bytes())))
    return list(dict.fromkeys(f for f in found if f))


def module_graph(relative: str) -> list[str]:
    """Every module an entry module imports, directly or not (not the entry itself), each once."""
    seen: dict[str, None] = {}
    todo = module_imports(relative)
    while todo:
        name = todo.pop(0)
        if name not in seen and name != relative:
            seen[name] = None
            todo.extend(module_imports(name))
    return list(seen)


def digest(relative: str) -> str | None:
    """A short hash of a static file's served bytes (None if there is no such file), once per file version."""
    path = find(relative)
    if path is None:
        return None
    stat = path.stat()
    return _digest(relative, str(path), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=256)
def _digest(relative: str, path: str, mtime_ns: int, size: int) -> str:
    # Keyed by the file's own version: a running process that sees a module's import change on disk without the
    # module changing keeps the old hash for it (files change under a running server only in development). An import
    # cycle would recurse without end: our modules have none (the reader's tree is tested in tests/reader/).
    file = Path(path)
    return hashlib.sha256(served_bytes(file, file.read_bytes(), relative)).hexdigest()[:10]


def versioned_url(relative: str) -> str:
    """``/static/<relative>?v=<hash of the served bytes>``: a new version is a new URL, so it can be cached long."""
    return f"{settings.STATIC_URL}{relative}?v={digest(relative)}"


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

    def __init__(self, path: Path, content: bytes, stat: os.stat_result, relative: str) -> None:
        self.path, self.checked = path, time.monotonic()
        self.content = served_bytes(path, content, relative)
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
    # In a thread: a module's served bytes name its imports' hashes, which reads those files.
    cached = _cache[relative] = await asyncio.to_thread(_Cached, path, content, stat, relative)
    return cached


async def static_endpoint(scope: Scope, send: Send) -> None:
    method = scope["method"]
    if method not in ("GET", "HEAD"):
        await json_error(send, 405, "method_not_allowed", "Use GET.", [(b"allow", b"GET, HEAD")])
        return
    relative = scope["path"][len(settings.STATIC_URL):]
    found = await _lookup(relative)
    if found is None:
        await json_error(send, 404, "not_found", "No such static file.")
        return
    entry = found if isinstance(found, _Cached) else _Cached(*found, relative)
    if header(scope, b"if-none-match") == entry.etag:
        await send({"type": "http.response.start", "status": 304, "headers": entry.headers[1:]})
        await send({"type": "http.response.body", "body": b""})
        return
    await respond(send, 200, entry.content, entry.headers, head=method == "HEAD")
