"""Static files: the one way Dateline serves its CSS, JS and fonts — from the edge and from Django alike.

Three sets of files use it: ``/static/…`` (the reader pages' assets and every app's ``static/`` folder, answered
by the edge, ``STATIC``), ``/static/reader/…`` when Django is asked instead (``reader/views.py``, with the same
``STATIC``, so a reader downloads the same bytes whichever answers), and ``/newsroom/static/…`` (the newsroom's own
files and the ProseMirror editor django-prose-editor ships, no Node build: ``newsroom/assets.py`` hands its folders
in as ``roots``). The edge knows no app: the apps build their ``StaticFiles`` and call it.

Django serves static files only with ``DEBUG`` on (``django.contrib.staticfiles`` is a development aid), and the
reader pages need their CSS and JS on a laptop demo too. Rather than routing them through Django's request cycle,
the edge looks a /static/ path up the way ``collectstatic`` would — ``STATIC_ROOT`` first (after ``dateline manage
collectstatic``), then the apps' ``static/`` folders via the staticfiles finders. In production, put nginx or a CDN
in front of ``/static/`` (``collectstatic`` into ``STATIC_ROOT`` and serve it from there); this is then rarely asked.

Every answer has a strong ``ETag`` (a hash of the bytes served) and 304s. Pages link ``url(…)``: the path with
``?v=<content hash>``, so a deploy changes the URL and such a URL may be cached for a year (``immutable``); a path
without ``v`` is cached for five minutes and then revalidated with the ETag. A file with a precompressed twin beside
it (``x.css.br``, ``x.css.gz``, as compressing ``collectstatic`` backends write) is sent compressed to a client that
accepts it.

Our JavaScript is written to be read — comments say why — and served minified (``rjsmin``, pure Python, no build
step): the reader's ``live.js`` goes from ~15 KB to ~10 KB, which is what the page-weight budget measures. The
minified bytes are computed once per file version and cached with an ETag that is their content hash. Files that are
already built (``*.min.js``, or with a ``.js.map`` beside them, like the editor's bundle) are served as they are:
minifying them again gains nothing and would invalidate their source map.

The reader's scripts are native ES modules (no build step), and a module's relative imports are fetched at the URL
they name. So a served module names each import with that file's version (``from "./events.js"`` is served as
``from "./events.js?v=<hash>"``), and its own version hashes those served bytes: a deploy that changes
``events.js`` changes the URL of every module above it, up to the page's ``<script type="module">``, and no browser
combines a new module with a cached old one. ``module_graph`` lists what an entry module imports, for
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
from collections.abc import Callable, Mapping
from email.utils import formatdate
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from django.http import Http404, HttpRequest, HttpResponse
from rjsmin import jsmin

from dateline.live.responses import header, json_error, respond
from dateline.live.types import Scope, Send

Headers = list[tuple[bytes, bytes]]

CACHE_VERSIONED = b"public, max-age=31536000, immutable"  # a ?v=<hash> URL: a new version is a new URL
# A bare path (a third-party page that hard-coded /static/reader/embed.js): short, so a deploy reaches it within
# minutes, and revalidated with the ETag after that.
CACHE_BARE = b"public, max-age=300"
PRECOMPRESSED = ((b"br", ".br"), (b"gzip", ".gz"))  # preferred first

# Files found are held in memory: a request is then answered without a thread hop or a disk read. Small (the reader
# and newsroom assets), bounded, and re-checked so a deploy's new files are seen in ~1 s.
MAX_CACHED_FILES = 256
MAX_CACHED_BYTES = 1 << 20  # per file; larger ones are read (and prepared) on each request
RECHECK_SECONDS = 1.0


def safe_relative(relative: str) -> list[str] | None:
    """The parts of a relative path, or None for anything that could leave the folder it is looked up in."""
    if not relative or relative.endswith("/") or "\\" in relative or "\x00" in relative:
        return None
    parts = relative.split("/")
    if any(part in ("", ".", "..") for part in parts):
        return None
    return parts


def find_static(relative: str) -> Path | None:
    """A /static/ path as ``collectstatic`` would find it: ``STATIC_ROOT``, then the apps' ``static/`` folders."""
    parts = safe_relative(relative)
    if parts is None:
        return None
    candidate = Path(settings.STATIC_ROOT).joinpath(*parts)
    if candidate.is_file():
        return candidate
    try:
        found = finders.find(relative)
    except SuspiciousFileOperation:
        return None
    if isinstance(found, list):
        found = found[0] if found else None
    return Path(found) if found and os.path.isfile(found) else None


def in_roots(roots: Mapping[str, Path], refuse: tuple[str, ...] = ()) -> Callable[[str], Path | None]:
    """A finder for ``<root name>/<path>`` inside named folders; names ending in ``refuse`` are not served."""
    def find(relative: str) -> Path | None:
        parts = safe_relative(relative)
        if parts is None or len(parts) < 2 or parts[0] not in roots or relative.endswith(refuse):
            return None
        candidate = roots[parts[0]].joinpath(*parts[1:])
        return candidate if candidate.is_file() else None
    return find


def minifies(path: Path) -> bool:
    """Is this a script we serve minified? Ours are; already-built bundles are not (see the module docstring)."""
    return (path.suffix == ".js" and not path.name.endswith(".min.js")
            and not path.with_name(path.name + ".map").exists())


# A relative import or re-export in (minified) module source: ``from"./x.js"``, ``import"./x.js"``. Our modules
# import only by relative path; bare names (an import map's) are left to the page.
_IMPORT = re.compile(rb"""(\b(?:from|import)\s*)(["'])(\.\.?/[^"'?#]+)\2""")


def resolve_import(importer: str, specifier: str) -> str | None:
    """The path a relative import names (as the browser resolves it), relative to the same prefix; None if it
    leaves it."""
    resolved = posixpath.normpath(posixpath.join(posixpath.dirname(importer), specifier))
    return None if resolved.startswith("..") else resolved


def content_etag(content: bytes) -> bytes:
    """A strong ETag from the served bytes, so it changes exactly when what readers get changes."""
    return b'"%s"' % hashlib.sha256(content).hexdigest()[:20].encode()


def _read(path: Path) -> tuple[bytes, os.stat_result]:
    with path.open("rb") as handle:
        stat = os.fstat(handle.fileno())
        return handle.read(), stat


class Asset:
    """A static file as served: its bytes (for our scripts: minified), ETag and headers, and any precompressed twin.

    Built once per file version, so a script is minified once, not per request."""

    __slots__ = ("path", "key", "content", "etag", "version", "content_type", "headers", "encoded", "checked")

    def __init__(self, path: Path, content: bytes, stat: os.stat_result, *, minify: bool = True,
                 version_of: Callable[[re.Match[bytes]], bytes] | None = None) -> None:
        self.path, self.checked = path, time.monotonic()
        minified = minify and minifies(path)
        self.content = jsmin(content) if minified else content
        if minified and version_of is not None:  # a module's relative imports carry their versions
            self.content = _IMPORT.sub(version_of, self.content)
        self.key = (stat.st_mtime_ns, stat.st_size)
        self.etag = content_etag(self.content)
        self.version = self.etag[1:11].decode()  # the ?v= of its URLs
        content_type, encoding = mimetypes.guess_type(path.name)
        content_type = content_type or "application/octet-stream"
        if content_type.startswith("text/") or content_type in ("application/javascript", "application/json"):
            content_type += "; charset=utf-8"
        self.content_type = (b"content-type", content_type.encode())
        # After content-type and cache-control (which depends on the URL): what every answer, 304s too, carries.
        self.headers: Headers = [
            (b"etag", self.etag),
            (b"last-modified", formatdate(stat.st_mtime, usegmt=True).encode()),
            (b"x-content-type-options", b"nosniff"),
            (b"access-control-allow-origin", b"*"),  # embed.js is loaded by third-party pages
        ]
        if encoding:
            self.headers.append((b"content-encoding", encoding.encode()))
        # Precompressed twins of a file served as stored (a minified script is not what its twin decompresses to).
        self.encoded: list[tuple[bytes, bytes, bytes]] = []  # (coding, bytes, etag)
        if not minified and not encoding:
            for coding, suffix in PRECOMPRESSED:
                twin = path.with_name(path.name + suffix)
                if twin.is_file():
                    body = twin.read_bytes()
                    self.encoded.append((coding, body, content_etag(body)))
            if self.encoded:
                self.headers.append((b"vary", b"accept-encoding"))

    def answer(self, *, versioned: bool, if_none_match: bytes | None,
               accept_encoding: bytes | None) -> tuple[int, Headers, bytes]:
        """Status, headers and body for a GET: 200, or 304 (no content-type, no body) when the ETag matches."""
        body, etag, headers = self.content, self.etag, self.headers
        if self.encoded and accept_encoding:
            accepted = {part.split(b";")[0].strip() for part in accept_encoding.lower().split(b",")}
            for coding, encoded, encoded_etag in self.encoded:
                if coding in accepted:
                    body, etag = encoded, encoded_etag
                    headers = [(b"etag", etag), *headers[1:], (b"content-encoding", coding)]
                    break
        cache = (b"cache-control", CACHE_VERSIONED if versioned else CACHE_BARE)
        if if_none_match == etag:
            return 304, [cache, *headers], b""
        return 200, [self.content_type, cache, *headers], body


class StaticFiles:
    """The files one ``find`` function locates, kept in memory and served as ``Asset``s; ``url()`` for templates."""

    def __init__(self, prefix: str, find: Callable[[str], Path | None], *, minify: bool = True) -> None:
        self.prefix = prefix
        self.find = find
        self.minify = minify
        self.cache: dict[str, Asset] = {}  # by relative path

    def _cached(self, relative: str) -> Asset | None:
        cached = self.cache.get(relative)
        if cached is None:
            return None
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
        self.cache.pop(relative, None)
        return None

    def _load(self, relative: str) -> Asset | None:
        if safe_relative(relative) is None:
            return None
        path = self.find(relative)
        if path is None:
            return None
        content, stat = _read(path)

        def version_of(match: re.Match[bytes]) -> bytes:
            # Loads the imported module (and, in turn, its imports): our modules have no import cycle (the reader's
            # tree is tested in tests/reader/). A missing one stays as written: the browser reports it.
            target = resolve_import(relative, match.group(3).decode())
            imported = self.get(target) if target else None
            if imported is None:
                return match.group(0)
            return b"%s%s%s?v=%s%s" % (match.group(1), match.group(2), match.group(3), imported.version.encode(),
                                       match.group(2))

        asset = Asset(path, content, stat, minify=self.minify, version_of=version_of)
        if len(content) <= MAX_CACHED_BYTES:
            if len(self.cache) >= MAX_CACHED_FILES:
                self.cache.clear()
            self.cache[relative] = asset
        return asset

    def get(self, relative: str) -> Asset | None:
        """The asset at a path below ``prefix``, or None (from a Django view, or a template's ``url``)."""
        return self._cached(relative) or self._load(relative)

    async def aget(self, relative: str) -> Asset | None:
        """``get`` for the event loop: from memory, or found and read in a worker thread."""
        return self._cached(relative) or await asyncio.to_thread(self._load, relative)

    def url(self, relative: str) -> str:
        """``<prefix><relative>?v=<content hash>``: a new deploy changes the URL, so it can be cached for a year."""
        asset = self.get(relative)
        if asset is None:
            raise FileNotFoundError(f"no static file {relative!r} under {self.prefix}")
        return f"{self.prefix}{relative}?v={asset.version}"

    def module_imports(self, relative: str) -> list[str]:
        """The paths a module imports directly, in source order."""
        path = self.find(relative) if safe_relative(relative) else None
        if path is None or not (self.minify and minifies(path)):
            return []
        found = (resolve_import(relative, m.group(3).decode()) for m in _IMPORT.finditer(jsmin(path.read_bytes())))
        return list(dict.fromkeys(f for f in found if f))

    def module_graph(self, relative: str) -> list[str]:
        """Every module an entry module imports, directly or not (not the entry itself), each once."""
        seen: dict[str, None] = {}
        todo = self.module_imports(relative)
        while todo:
            name = todo.pop(0)
            if name not in seen and name != relative:
                seen[name] = None
                todo.extend(self.module_imports(name))
        return list(seen)

    def django_response(self, request: HttpRequest, relative: str) -> HttpResponse:
        """The answer to a Django request (the view checked the method): the same bytes and headers as the edge's."""
        asset = self.get(relative)
        if asset is None:
            raise Http404("No such asset.")
        status, headers, body = asset.answer(versioned=bool(request.GET.get("v")),
                                             if_none_match=_latin1(request.headers.get("If-None-Match")),
                                             accept_encoding=_latin1(request.headers.get("Accept-Encoding")))
        response = HttpResponse(body, status=status)
        if status == 304:
            del response["Content-Type"]
        for name, value in headers:
            response[name.decode()] = value.decode("latin-1")
        return response


def _latin1(value: str | None) -> bytes | None:
    return None if value is None else value.encode("latin-1")


STATIC = StaticFiles(settings.STATIC_URL, find_static)  # /static/: what the edge serves, reader pages link
_cache = STATIC.cache
versioned_url = STATIC.url  # ``/static/<relative>?v=<hash of the served bytes>``
module_graph = STATIC.module_graph


async def static_endpoint(scope: Scope, send: Send) -> None:
    """``/static/…`` on the edge."""
    method = scope["method"]
    if method not in ("GET", "HEAD"):
        await json_error(send, 405, "method_not_allowed", "Use GET.", [(b"allow", b"GET, HEAD")])
        return
    asset = await STATIC.aget(scope["path"][len(STATIC.prefix):])
    if asset is None:
        await json_error(send, 404, "not_found", "No such static file.")
        return
    query = scope.get("query_string", b"")
    status, headers, body = asset.answer(versioned=b"v=" in query and _versioned(query),
                                         if_none_match=header(scope, b"if-none-match"),
                                         accept_encoding=header(scope, b"accept-encoding") if asset.encoded else None)
    if status == 304:
        await send({"type": "http.response.start", "status": 304, "headers": headers})
        await send({"type": "http.response.body", "body": b""})
        return
    await respond(send, status, body, headers, head=method == "HEAD")


def _versioned(query: bytes) -> bool:
    """Does the query carry a non-empty ``v`` (as Django's ``request.GET.get("v")`` would see it)?"""
    return any(part.startswith(b"v=") and len(part) > 2 for part in query.split(b"&"))
