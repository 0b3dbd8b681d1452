"""The desk's assistant, as JSON for the composer: what to look at again before filing.

* ``similar`` — earlier posts the one being written may repeat (``assist/duplicates.py``);
* ``unattributed`` — sentences giving figures without a source, when the post has neither a verification label nor a
  note (``assist/attribution.py``).

Advice only: the composer shows it beside the form and never stops a filing.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.views.decorators.http import require_POST

from dateline.assist.attribution import unattributed_figures
from dateline.assist.duplicates import similar_posts
from dateline.coverage import permissions as perm
from dateline.coverage.models import LiveBlog, Post
from dateline.coverage.render import local_time
from dateline.coverage.validation import parse_id
from dateline.newsroom.views.common import blog_for, newsroom_view

MAX_TEXT = 200_000  # characters of headline + body looked at; a post is never near this
SHOWN = 3


@newsroom_view
@require_POST
def check(request: HttpRequest, slug: str) -> JsonResponse:
    """Form fields ``headline``, ``body`` (HTML), ``verification``, ``verification_note`` and, when editing,
    ``exclude`` (the post)."""
    blog = blog_for(request, slug)
    headline = request.POST.get("headline", "")[:MAX_TEXT]
    body = request.POST.get("body", "")[:MAX_TEXT]
    noted = request.POST.get("verification_note", "").strip() or request.POST.get("verification", "")
    unattributed = [] if noted else unattributed_figures(body)
    return JsonResponse({"similar": _similar(request, blog, headline, body, parse_id(request.POST.get("exclude"))),
                         "unattributed": unattributed})


def _similar(request: HttpRequest, blog: LiveBlog, headline: str, body: str,
             exclude: int | None) -> list[dict[str, Any]]:
    """The closest earlier posts; other reporters' drafts only for those who may see them (editors, their authors)."""
    found = []
    for match in similar_posts(blog, headline, body, exclude=exclude, limit=SHOWN * 2):
        if match.status != Post.Status.PUBLISHED:
            draft = Post.objects.filter(pk=match.post_id).first()  # None if deleted for good meanwhile
            if draft is None or not perm.can_see_drafts(request.user, draft):
                continue
        entry = match.as_json()
        published = local_time(match.published_at, blog.time_zone)
        entry["time"] = published.strftime("%H:%M") if published else None
        entry["url"] = reverse("newsroom:edit", args=[blog.slug, match.post_id])
        found.append(entry)
        if len(found) == SHOWN:
            break
    return found
