"""The structured form of each object: one shape for the API, change events, feeds and the page's JSON twin.

The shapes are declared (as typed dictionaries) in ``dateline/events.py``, with the events that carry them; these
functions fill them in, and mypy holds the two to each other."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Literal, cast

from django.conf import settings

from dateline.coverage.models import Correction, KeyPoint, LiveBlog, Media, Post
from dateline.events import (
    Author,
    BlogObject,
    CorrectionObject,
    DeletedPostObject,
    Embed,
    KeyPointObject,
    MediaObject,
    PostObject,
)

PostStatus = Literal["draft", "published", "deleted"]
BlogStatus = Literal["scheduled", "live", "ended"]


def iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def public_url(path: str) -> str:
    return f"{settings.DATELINE_PUBLIC_URL}{path}"


def blog_path(blog: LiveBlog) -> str:
    return f"/live/{blog.slug}/"


def post_path(post: Post) -> str:
    return f"/live/{post.blog.slug}/posts/{post.pk}/"


def media_data(media: Media) -> MediaObject:
    return {
        "id": media.pk,
        "kind": media.kind,
        "url": media.file.url if media.file else media.url,
        "title": media.title,
        "caption": media.caption,
        "credit": media.credit,
        "alt": media.alt,
        "width": media.width,
        "height": media.height,
        "duration_seconds": media.duration_seconds,
        "duration": media.duration_display,
        "renditions": media.rendition_urls(),
        "embed": embed_data(media),
    }


def embed_data(media: Media) -> Embed | None:
    """What an embed adds (``url`` is the original link); ``None`` for images and videos."""
    if media.kind != Media.Kind.EMBED:
        return None
    return {
        "provider": media.provider,
        "author": media.author,
        "thumbnail_url": media.thumbnail_url,
        "frame_src": media.frame_src,
        "display": "frame" if media.frame_src else "card",
    }


def author_data(user: Any) -> Author:
    return {"username": user.username, "name": user.byline}


def post_media(post: Post) -> list[Media]:
    # .all() + sorted() rather than order_by(), so a list view's prefetch_related("postmedia_set__media") is used.
    return [pm.media for pm in sorted(post.postmedia_set.all(), key=lambda pm: (pm.position, pm.pk))]


def post_authors(post: Post) -> list[Any]:
    """The byline, in the order the newsroom gave (prefetch ``postauthor_set__user`` for lists)."""
    return [pa.user for pa in sorted(post.postauthor_set.all(), key=lambda pa: (pa.position, pa.pk))]


def post_corrections(post: Post) -> list[Correction]:
    """The post's corrections, oldest first (prefetch ``corrections`` for lists)."""
    return sorted(post.corrections.all(), key=lambda c: (c.created_at, c.pk))


def correction_data(correction: Correction) -> CorrectionObject:
    return {"note": correction.note, "created_at": iso(correction.created_at)}


# What ``post_data`` and the post fragment read besides the post's own row.
POST_RELATIONS = ("postauthor_set__user", "postmedia_set__media", "corrections")


def prefetch_for_posts(posts: Any) -> Any:
    """What ``post_data`` reads, in four queries for a whole page instead of three per post."""
    return posts.select_related("blog").prefetch_related(*POST_RELATIONS)


def post_data(post: Post) -> PostObject:
    return {
        "id": post.pk,
        "blog": post.blog.slug,
        "headline": post.headline,
        "body": post.body,
        "status": cast(PostStatus, post.status),
        "pinned": post.pinned,
        "tags": list(post.tags),
        "authors": [author_data(u) for u in post_authors(post)],
        "update_note": post.update_note,
        "verification_note": post.verification_note,
        "verification": post.verification,
        "media": [media_data(m) for m in post_media(post)],
        "corrections": [correction_data(c) for c in post_corrections(post)],
        "created_at": iso(post.created_at),
        "published_at": iso(post.published_at),
        "updated_at": iso(post.updated_at),
        "version": post.version,
        "publish_at": iso(post.publish_at),
        "url": public_url(post_path(post)),
    }


def deleted_post_data(post: Post) -> DeletedPostObject:
    return {"id": post.pk, "status": "deleted"}


def key_point_data(point: KeyPoint) -> KeyPointObject:
    return {"text": point.text, "post_id": point.post_id, "url": point.url}


def key_points_data(blog: LiveBlog) -> list[KeyPointObject]:
    return [key_point_data(p) for p in KeyPoint.objects.filter(blog=blog).order_by("position")]


def key_points_version(points: Sequence[Mapping[str, Any]]) -> str:
    """A fingerprint of an ordered key point list, as a form or API client last read it (the list's ETag).

    Key points are replaced whole, so two editors saving at once would otherwise overwrite each other silently;
    ``set_key_points`` refuses a save made against a list that has changed since.
    """
    encoded = json.dumps(points, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(encoded.encode()).hexdigest()[:16]


def blog_data(blog: LiveBlog) -> BlogObject:
    return {
        "slug": blog.slug,
        "title": blog.title,
        "description": blog.description,
        "status": cast(BlogStatus, blog.status),
        "coverage_start": iso(blog.coverage_start),
        "coverage_end": iso(blog.coverage_end),
        "time_zone": blog.time_zone,
        "post_count": blog.posts.filter(status=Post.Status.PUBLISHED).count(),
        "seq": blog.seq,
        "key_points": key_points_data(blog),
        "lead_media": media_data(blog.lead_media) if blog.lead_media else None,
        "story": blog.story.slug if blog.story else None,
        "url": public_url(blog_path(blog)),
    }
