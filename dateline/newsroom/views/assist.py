"""The desk's assistants, as JSON for the composer: posts that the one being written may repeat."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.views.decorators.http import require_POST

from dateline.assist.duplicates import similar_posts
from dateline.coverage import permissions as perm
from dateline.coverage.models import Post
from dateline.coverage.render import local_time
from dateline.coverage.validation import parse_id
from dateline.newsroom.views.common import blog_for, newsroom_view

MAX_TEXT = 200_000  # characters of headline + body looked at; a post is never near this


@newsroom_view
@require_POST
def similar(request: HttpRequest, slug: str) -> JsonResponse:
    """``headline``, ``body`` (HTML) and, when editing, ``exclude`` (the post's id) → the earlier posts it resembles.

    Drafts of other reporters are only shown to those who may see them (editors, and the drafts' authors).
    """
    blog = blog_for(request, slug)
    headline = request.POST.get("headline", "")[:MAX_TEXT]
    body = request.POST.get("body", "")[:MAX_TEXT]
    exclude = parse_id(request.POST.get("exclude", ""))
    found = []
    for match in similar_posts(blog, headline, body, exclude=exclude, limit=6):
        if match.status != Post.Status.PUBLISHED:
            post = Post.objects.get(pk=match.post_id)
            if not perm.can_see_drafts(request.user, post):
                continue
        entry = match.as_json()
        published = local_time(match.published_at, blog.time_zone)
        entry["time"] = published.strftime("%H:%M") if published else None
        entry["url"] = reverse("newsroom:edit", args=[blog.slug, match.post_id])
        found.append(entry)
        if len(found) == 3:
            break
    return JsonResponse({"similar": found})
