"""Reader-facing pages: thin views over ``stream`` (what to show) and stored fragments (how it looks).

Posts, key points and the blog header are the fragments the actions rendered and stored; change events carry the
same markup, so a server-rendered page and a page kept live by the browser are identical.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_safe

from dateline.coverage.models import Correction, LiveBlog, Post
from dateline.coverage.render import render_blog_header
from dateline.coverage.sanitize import strip_tags
from dateline.coverage.serializers import blog_data, blog_path, iso, post_data, post_path
from dateline.coverage.validation import parse_id
from dateline.edgecache import purge_tagged, shared
from dateline.live import static
from dateline.reader import stream
from dateline.reader.structured import (
    absolute,
    blog_date,
    blog_posting,
    live_blog_posting,
    on_page,
    page_title,
    post_title,
    script_json,
)

STATIC_DIR = Path(__file__).resolve().parent / "static"  # the reader's files: /static/reader/… (static.STATIC)
EMBED_SIZE = 10
EMBED_HEIGHT = 640
# The aside lists at most this many days of a story, around the page's own (a war runs for hundreds).
STORY_DAYS_SHOWN = 7


# --- assets ---------------------------------------------------------------------------------------------------

def asset_url(name: str) -> str:
    """``/static/reader/<name>?v=<content hash>``: a new deploy changes the URL, so assets can be cached for a year.
    The hash is of the served bytes, which for a module name its imports' versions (``live/static.py``)."""
    return static.versioned_url(f"reader/{name}")


@cache
def module_urls(name: str) -> tuple[str, ...]:
    """The versioned URLs of every module an entry module imports: the page preloads them all at once."""
    return tuple(static.versioned_url(dep) for dep in static.module_graph(f"reader/{name}"))


@require_safe
def asset(request: HttpRequest, path: str) -> HttpResponse:
    """The reader's CSS and JS when Django is asked for them (the live edge answers ``/static/`` first under
    ``dateline serve``): the edge's own files, so a reader downloads the same bytes whichever answers."""
    return static.STATIC.django_response(request, f"reader/{path}")


def _assets() -> dict[str, Any]:
    return {"css": asset_url("dateline.css"), "js": asset_url("live.js"), "modules": module_urls("live.js"),
            "embed_js": asset_url("embed.js")}


# --- helpers --------------------------------------------------------------------------------------------------

_ARTICLE = re.compile(r"^<article\b")


def _feed_article(html: str, position: int, size: int) -> str:
    """Add the ARIA feed pattern's position to a stored fragment: a string insert, not a re-render.

    The explicit ``role="article"`` is what the W3C checker needs to accept aria-posinset/-setsize on ``<article>``.
    """
    return _ARTICLE.sub(f'<article role="article" aria-posinset="{position}" aria-setsize="{size}"', html, count=1)


def _blog(slug: str) -> LiveBlog:
    return get_object_or_404(LiveBlog.objects.select_related("lead_media", "story"), slug=slug)


def _cursor(request: HttpRequest) -> stream.Cursor | None:
    token = request.GET.get("before")
    if not token:
        return None
    try:
        return stream.Cursor.decode(token)
    except stream.BadCursor:
        raise Http404("Unknown page.") from None


def _story_days(blog: LiveBlog) -> list[dict[str, Any]]:
    """The days of the blog's story (one blog per day), oldest first, each dated in its own zone; empty when the
    blog is not part of a story (or, scheduled, not yet one of its days)."""
    if blog.story_id is None:
        return []
    days = sorted(LiveBlog.objects.filter(story_id=blog.story_id).exclude(status=LiveBlog.Status.SCHEDULED)
                  .only("slug", "title", "coverage_start", "created_at", "time_zone", "status"),
                  key=lambda b: (b.coverage_start or b.created_at, b.pk))
    if all(b.pk != blog.pk for b in days):
        return []
    # A date, not a datetime: the |date filter would move a datetime into the server's zone, and with it the day.
    return [{"slug": b.slug, "title": b.title, "day": blog_date(b).date(), "current": b.pk == blog.pk} for b in days]


def _count_label(count: int) -> str:
    return f"{count} Post" if count == 1 else f"{count} Posts"


def _blog_context(request: HttpRequest, snap: stream.Snapshot) -> dict[str, Any]:
    blog = snap.blog
    page = blog_path(blog)
    size = snap.stream_count
    posts = [_feed_article(p.html, snap.offset + i + 1, size) for i, p in enumerate(snap.posts)]
    days = _story_days(blog)
    at = next((i for i, day in enumerate(days) if day["current"]), 0)
    around = max(0, min(at - STORY_DAYS_SHOWN // 2, len(days) - STORY_DAYS_SHOWN))
    canonical = absolute(request, page)
    embed_src = absolute(request, f"{page}embed/")
    embed_snippet = (
        f'<iframe src="{escape(embed_src)}" title="{escape(blog.title)} – live coverage" data-dateline-embed '
        f'style="width:100%;height:{EMBED_HEIGHT}px;border:0" loading="lazy"></iframe>\n'
        f'<script async src="{escape(absolute(request, asset_url("embed.js")))}"></script>'
    )
    return {
        "blog": blog,
        "snap": snap,
        "title": page_title(blog),
        "publisher": settings.DATELINE_PUBLISHER,
        "date": blog_date(blog),
        "header_html": mark_safe(render_blog_header(blog)),  # noqa: S308 - rendered by our own template
        "key_points_html": mark_safe(blog.key_points_html),  # noqa: S308 - sanitised and rendered by the action
        "pinned_html": mark_safe("\n".join(p.html for p in snap.pinned)),  # noqa: S308
        "posts_html": mark_safe("\n".join(posts)),  # noqa: S308
        "count_label": _count_label(snap.post_count),
        "next_cursor": snap.next_cursor.encode() if snap.next_cursor else "",
        "canonical": canonical,
        "previous_day": days[at - 1] if at > 0 else None,
        "next_day": days[at + 1] if at + 1 < len(days) else None,
        "story_days": days[around:around + STORY_DAYS_SHOWN] if len(days) > 1 else [],
        "embed_snippet": embed_snippet,
        "oembed_url": "/oembed?" + urlencode({"url": canonical, "format": "json"}),
        "description": blog.description or blog.title,
        "assets": _assets(),
    }


# --- pages ----------------------------------------------------------------------------------------------------

@require_safe
def index(request: HttpRequest) -> HttpResponse:
    """Live blogs first, then the most recent others."""
    blogs = list(
        LiveBlog.objects.exclude(status=LiveBlog.Status.SCHEDULED)
        .annotate(post_total=Count("posts", filter=Q(posts__status=Post.Status.PUBLISHED)))
        .order_by("-coverage_start", "-created_at")[:60]
    )
    live = [b for b in blogs if b.status == LiveBlog.Status.LIVE]
    recent = [b for b in blogs if b.status != LiveBlog.Status.LIVE]
    for b in blogs:
        b.day = blog_date(b)  # type: ignore[attr-defined]
    return render(request, "reader/index.html", {
        "live": live, "recent": recent, "publisher": settings.DATELINE_PUBLISHER, "assets": _assets(),
    })


def _snapshot(slug: str, before: stream.Cursor | None) -> stream.Snapshot:
    try:
        return stream.snapshot(slug, before)
    except LiveBlog.DoesNotExist:
        raise Http404("No such live blog.") from None


@purge_tagged
@require_safe
def blog_page(request: HttpRequest, slug: str) -> HttpResponse:
    """The reader page: complete without JavaScript; ``data-seq`` tells the script where to resume.

    ``?post=<id>`` (our links write ``?post=<id>#post-<id>``) opens the page that shows that post: the live first
    page when it is there, else the older page that starts with it, so the ``#post-<id>`` anchor always lands.
    """
    before = _cursor(request)
    post_id = parse_id(request.GET.get("post"))
    if before is None and post_id:
        before = stream.page_of(_blog(slug), post_id)
    snap = _snapshot(slug, before)
    context = _blog_context(request, snap)
    context["paged"] = before is not None
    context["json_ld"] = mark_safe(  # noqa: S308 - script_json escapes <, > and &
        script_json(live_blog_posting(request, snap.blog, [*snap.pinned, *snap.posts]))
    )
    return shared(render(request, "reader/blog.html", context))


@purge_tagged
@require_safe
def more_posts(request: HttpRequest, slug: str) -> JsonResponse:
    """The next page of the stream for the "Load more" button: stored fragments and the following cursor."""
    blog = _blog(slug)
    before = _cursor(request)
    if before is None:
        return JsonResponse({"error": {"code": "missing_cursor", "message": "Pass ?before=<cursor>."}},
                            status=400)
    posts, next_cursor = stream.stream_page(blog, before)
    response = JsonResponse({
        "html": "\n".join(p.html for p in posts),
        "count": len(posts),
        "next": next_cursor.encode() if next_cursor else None,
    })
    # Older pages change when one of their posts is edited or deleted: kept by shared caches like the page (a burst
    # of readers is one render per few seconds), revalidated by browsers, so a deletion leaves every copy.
    shared(response)
    return response


@purge_tagged
@require_safe
def blog_json(request: HttpRequest, slug: str) -> HttpResponse:
    """The page's JSON twin: the blog, its pinned posts and one page of posts, with the next cursor."""
    snap = _snapshot(slug, _cursor(request))
    data = blog_data(snap.blog)
    data["seq"] = snap.seq
    data["post_count"] = snap.post_count

    def with_html(post: Post) -> dict[str, Any]:
        return {**post_data(post), "html": post.html}

    return shared(JsonResponse({
        "blog": data,
        "seq": snap.seq,
        "pinned": [with_html(p) for p in snap.pinned],
        "items": [with_html(p) for p in snap.posts],
        "next": snap.next_cursor.encode() if snap.next_cursor else None,
    }, json_dumps_params={"ensure_ascii": False}))


@purge_tagged
@require_safe
def post_page(request: HttpRequest, slug: str, post_id: int) -> HttpResponse:
    """One post on its own page, for sharing: canonical URL, Open Graph and Twitter card tags."""
    blog = _blog(slug)
    post = get_object_or_404(Post.objects.prefetch_related("postauthor_set__user", "corrections"), pk=post_id,
                             blog=blog, status=Post.Status.PUBLISHED)
    image = post.postmedia_set.select_related("media").filter(media__kind="image").order_by("position").first()
    image_url = ""
    if image:
        m = image.media
        image_url = absolute(request, m.file.url) if m.file else m.url
    description = " ".join(strip_tags(post.body).split())
    if len(description) > 200:
        description = description[:199].rsplit(" ", 1)[0] + "…"
    posting = blog_posting(request, post)
    return shared(render(request, "reader/post.html", {
        "json_ld": mark_safe(script_json(posting)),  # noqa: S308 - script_json escapes <, > and &
        "blog": blog,
        "post": post,
        "headline": post_title(post),
        "title": f"{post_title(post)} | {settings.DATELINE_PUBLISHER}",
        "blog_title": page_title(blog).rsplit(" | ", 1)[0],
        "publisher": settings.DATELINE_PUBLISHER,
        "post_html": mark_safe(post.html),  # noqa: S308 - rendered once by the action from sanitised fields
        "canonical": absolute(request, post_path(post)),
        "on_page": on_page(blog, post),
        "description": description or blog.description or blog.title,
        "image_url": image_url,
        "published": iso(post.published_at),
        "modified": iso(post.updated_at),
        "oembed_url": "/oembed?" + urlencode({"url": absolute(request, post_path(post)), "format": "json"}),
        "assets": _assets(),
    }))


@purge_tagged
@require_safe
def corrections(request: HttpRequest, slug: str) -> HttpResponse:
    """The blog's corrections log, newest first: every correction still visible on a published post.

    Corrections of deleted posts leave the log with their post (the post is no longer public; restoring it brings
    them back). Not paged: a day's coverage carries a handful of corrections, not hundreds.
    """
    blog = _blog(slug)
    rows = (Correction.objects.filter(blog=blog, post__status=Post.Status.PUBLISHED)
            .select_related("post").order_by("-created_at", "-pk"))
    items = [{
        "note": c.note,
        "created_at": c.created_at,
        "headline": post_title(c.post),
        # The post's own page, not the "#post-<id>" anchor: an older post is not on the reader page's first page.
        "post_url": f"{blog_path(blog)}posts/{c.post_id}/",
    } for c in rows]
    return shared(render(request, "reader/corrections.html", {
        "blog": blog,
        "items": items,
        "title": f"Corrections: {page_title(blog)}",
        "blog_title": page_title(blog).rsplit(" | ", 1)[0],
        "publisher": settings.DATELINE_PUBLISHER,
        "canonical": absolute(request, f"{blog_path(blog)}corrections/"),
        "assets": _assets(),
    }))


@purge_tagged
@xframe_options_exempt
@require_safe
def embed(request: HttpRequest, slug: str) -> HttpResponse:
    """The compact, framable widget: latest posts, live, sized to its content by embed.js on the host page."""
    try:
        snap = stream.snapshot(slug, None, EMBED_SIZE)
    except LiveBlog.DoesNotExist:
        raise Http404("No such live blog.") from None
    context = _blog_context(request, snap)
    context.update(single=False, window=EMBED_SIZE)  # live.js keeps the widget to this many posts
    post_id = request.GET.get("post", "")
    if post_id:
        post = Post.objects.filter(pk=parse_id(post_id) or 0, blog=snap.blog,
                                   status=Post.Status.PUBLISHED).first()
        if post is None:
            raise Http404("No such post.")
        context.update(single=True, pinned_html="", next_cursor="",
                       posts_html=mark_safe(_feed_article(post.html, 1, 1)))  # noqa: S308
    return shared(render(request, "reader/embed.html", context))
