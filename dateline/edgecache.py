"""How public answers may be kept: by a shared cache (a CDN, nginx), by the live edge's page cache, and purged.

Shared by the reader pages (``reader/``) and the public API reads (``api/``): every reader URL of a blog goes
through ``purge_tagged`` (the pages and feeds also through ``shared``); the API's blog, posts, post and key-points
reads through ``api_read``, which does both for anonymous requests. Which URLs the edge may answer from memory, and
with which query parameters, is decided in one place: ``live/pages.py`` ``CACHEABLE``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.utils.cache import patch_vary_headers

from dateline.coverage.models import LiveBlog
from dateline.live import pages
from dateline.live.changes import purge_tags

# Pages are the same for every reader, and a page a few seconds old is still correct: the script resumes from the
# seq it embeds. So shared caches (a CDN) may keep them briefly, which turns a news spike into one render per few
# seconds; browsers (max-age=0) always revalidate, so a reload shows the newest page.
SHARED_CACHE = "public, max-age=0, s-maxage=5, stale-while-revalidate=25"


def shared(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = SHARED_CACHE
    return response


def shared_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """``shared`` for a view whose answer is built elsewhere (the syndication framework's feeds)."""
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return shared(view(request, *args, **kwargs))
    return wrapped


def _marked(slug: str, answer: Callable[[], HttpResponseBase]) -> HttpResponseBase:
    # The seq read before the view reads the content: the answer is at least as new as it says, and the edge
    # keeps it until the blog's next change (live/pages.py).
    head = LiveBlog.objects.filter(slug=slug).values_list("pk", "seq").first()
    response = answer()
    if head is not None and response.status_code == 200:
        response[pages.SEQ_HEADER] = f"{head[0]} {head[1]}"
    for name, value in purge_tags(slug):
        response[name.decode()] = value.decode()
    return response


def purge_tagged(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Name the blog on every answer of one of its URLs, as ``/changes`` does (``live.changes.purge_tags``): after
    a legal takedown one purge of the tag ``dateline-blog-<slug>`` must drop the page, its ``.json``, the share
    pages, the embed, the corrections log, the feeds and the API reads a CDN holds (docs/live.md "Compaction")."""
    @wraps(view)
    def tagged(request: HttpRequest, slug: str, *args: Any, **kwargs: Any) -> HttpResponse:
        return _marked(slug, lambda: view(request, slug, *args, **kwargs))  # type: ignore[return-value]
    return tagged


def api_read(run: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """For a public API read (a ninja operation's ``run``, wrapped by ``ninja.decorators.decorate_view``): an
    anonymous request's 200 is marked and tagged as a reader page is, and may be kept by shared caches; with a
    token (an editor may see drafts) the answer is Django's own, with no seq and no ``public``, exactly as before.
    The view's own ETag (``"<id>-<version>"``, ``"kp-…"``) is kept by the edge, so If-None-Match and a writer's
    If-Match compare against the same tag whichever way the read was answered."""
    @wraps(run)
    def read(request: HttpRequest, **kwargs: Any) -> HttpResponseBase:
        if request.headers.get("Authorization"):
            return run(request, **kwargs)
        response = _marked(kwargs["slug"], lambda: run(request, **kwargs))
        if response.status_code == 200:
            response["Cache-Control"] = SHARED_CACHE
            # A shared cache must not give this anonymous answer to a request that carries a token.
            patch_vary_headers(response, ["Authorization"])
        return response
    return read
