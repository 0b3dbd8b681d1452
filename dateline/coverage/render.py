"""Reader-facing HTML fragments, rendered once by the action that changes the object, never per reader."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.template.loader import render_to_string

from dateline.coverage.models import KeyPoint, LiveBlog, Post
from dateline.coverage.serializers import post_authors, post_corrections, post_media


def local_time(value: datetime | None, time_zone: str) -> datetime | None:
    return value.astimezone(ZoneInfo(time_zone)) if value else None


def render_post(post: Post) -> str:
    blog = post.blog
    return render_to_string(
        "coverage/post.html",
        {
            "post": post,
            "blog": blog,
            "authors": post_authors(post),
            "media": post_media(post),
            "corrections": post_corrections(post),
            # Post times are dated when they fall after the coverage's first local day (reader_time.clock).
            "blog_start": blog.coverage_start or blog.created_at,
            "published_local": local_time(post.published_at, blog.time_zone),
            "updated_local": local_time(post.updated_at, blog.time_zone),
            "edited": post.version > 1 and post.published_at is not None and post.updated_at > post.published_at,
        },
    ).strip()


def render_key_points(blog: LiveBlog, points: list[KeyPoint] | None = None) -> str:
    if points is None:
        points = list(KeyPoint.objects.filter(blog=blog).order_by("position"))
    return render_to_string("coverage/key_points.html", {"blog": blog, "points": points}).strip()


def render_blog_header(blog: LiveBlog) -> str:
    return render_to_string(
        "coverage/blog_header.html",
        {
            "blog": blog,
            "publisher": settings.DATELINE_PUBLISHER,
            "start_local": local_time(blog.coverage_start, blog.time_zone),
            "end_local": local_time(blog.coverage_end, blog.time_zone),
        },
    ).strip()
