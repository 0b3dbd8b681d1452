"""How reader answers may be kept: by a shared cache (a CDN, nginx), by the live edge's page cache, and purged.

Every reader URL of a blog goes through ``purge_tagged``; the pages and feeds also through ``shared``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse

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


def purge_tagged(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Name the blog on every answer of one of its URLs, as ``/changes`` does (``live.changes.purge_tags``): after
    a legal takedown one purge of the tag ``dateline-blog-<slug>`` must drop the page, its ``.json``, the share
    pages, the embed, the corrections log and the feeds a CDN holds (docs/live.md "Compaction")."""
    @wraps(view)
    def tagged(request: HttpRequest, slug: str, *args: Any, **kwargs: Any) -> HttpResponse:
        # The seq read before the view reads the content: the page is at least as new as it says, and the edge
        # keeps it until the blog's next change (live/pages.py).
        head = LiveBlog.objects.filter(slug=slug).values_list("pk", "seq").first()
        response = view(request, slug, *args, **kwargs)
        if head is not None and response.status_code == 200:
            response[pages.SEQ_HEADER] = f"{head[0]} {head[1]}"
        for name, value in purge_tags(slug):
            response[name.decode()] = value.decode()
        return response
    return tagged
