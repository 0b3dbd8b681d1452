"""``/media/<name>``: uploaded images — public ones to anyone, cacheable; the rest only to who may attach them.

What is public is in ``MEDIA_PUBLIC_ROOT`` (``coverage/mediafiles.py``), and answering it needs no database: in
production nginx answers it from disk before Django is asked (``try_files $uri @dateline``). Otherwise the file is
looked up: an image the database says is public but whose link is missing is linked and served; an unpublished one
is served to a signed-in user (or an API token's owner) who may see it (``permissions.visible_media``), privately
and uncached by shared caches; everyone else gets 404 — not 403, so the names of unpublished uploads cannot be probed.
"""

from __future__ import annotations

import logging
import mimetypes
import posixpath
from pathlib import Path

from django.contrib.auth.models import AnonymousUser
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase, HttpResponseNotModified
from django.utils.http import http_date

from dateline.accounts.models import ApiToken
from dateline.coverage import mediafiles
from dateline.coverage import permissions as perm
from dateline.coverage.models import Media
from dateline.coverage.permissions import Actor

log = logging.getLogger(__name__)

# Names are random (a uuid per upload) and a file never changes under its name, but published media can be
# withdrawn (a deleted post): browsers keep it an hour and then revalidate (a cheap 304 by ETag), while a CDN may
# keep it a day and is purged on deletion (docs/api.md, Media). nginx sends the same (deploy config, issue 12).
PUBLIC_CACHE = "public, max-age=3600, s-maxage=86400"
# Unpublished: the uploader's browser may keep it for the composer's preview, no shared cache may.
PRIVATE_CACHE = "private, max-age=60"


def _clean(name: str) -> str:
    """The stored name ``name`` stands for, or 404: no ``..``, no absolute paths, no directories."""
    normal = posixpath.normpath(name).lstrip("/")
    if normal != name or normal.startswith(".") or "/." in normal or "\\" in normal or name.endswith("/"):
        raise Http404("No such file.")
    return normal


def _etag(path: Path) -> str:
    """nginx's ETag for a static file (hex mtime "-" hex size), so Django and nginx answer the same validator."""
    stat = path.stat()
    return f'"{int(stat.st_mtime):x}-{stat.st_size:x}"'


def _file(request: HttpRequest, path: Path, cache_control: str) -> HttpResponseBase:
    etag = _etag(path)
    if etag in [tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")]:
        response: HttpResponseBase = HttpResponseNotModified()
    else:
        content_type, _ = mimetypes.guess_type(path.name)
        response = FileResponse(path.open("rb"), content_type=content_type or "application/octet-stream")
        response["Last-Modified"] = http_date(path.stat().st_mtime)
    response["ETag"] = etag
    response["Cache-Control"] = cache_control
    return response


def _viewer(request: HttpRequest) -> Actor:
    """The signed-in user (the newsroom's session), or the owner of the request's API token (an integrator that
    uploaded through the API fetches its own file): ``Authorization: Bearer <token>``."""
    scheme, _, raw = request.headers.get("Authorization", "").strip().partition(" ")
    if scheme.lower() == "bearer" and raw.strip():
        return ApiToken.authenticate(raw.strip()) or AnonymousUser()
    return request.user


def serve_media(request: HttpRequest, name: str) -> HttpResponseBase | HttpResponse:
    name = _clean(name)
    linked = mediafiles.public_path(name)
    if linked.is_file():
        return _file(request, linked, PUBLIC_CACHE)
    users = Media.objects.filter(pk__in=[media.pk for media in mediafiles.sharing(name)])
    stored = mediafiles.store_path(name)
    if not users or not stored.is_file():
        raise Http404("No such file.")
    public = perm.public_media(users).first()
    if public is not None:
        try:
            mediafiles.publish(public)  # public, but its link is missing: put it back for nginx
        except OSError:  # a full disk: serve it from the store this time rather than fail
            log.exception("could not link the files of media %s into the public tree", public.pk)
        return _file(request, stored, PUBLIC_CACHE)
    if not perm.visible_media(_viewer(request), users).exists():
        raise Http404("No such file.")
    response = _file(request, stored, PRIVATE_CACHE)
    response["Vary"] = "Cookie"
    return response
