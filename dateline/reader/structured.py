"""Machine-readable forms of a blog: schema.org JSON-LD, JSON Feed 1.1 and the page's ``.json`` twin."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.http import HttpRequest
from django.utils.html import escape

from dateline.coverage.models import LiveBlog, Post
from dateline.coverage.sanitize import strip_tags
from dateline.coverage.serializers import blog_path, iso, post_authors, post_corrections, post_path


def absolute(request: HttpRequest, path: str) -> str:
    """A public URL: ``DATELINE_PUBLIC_URL`` when set (behind a proxy or CDN), else the request's own origin."""
    if settings.DATELINE_PUBLIC_URL:
        return settings.DATELINE_PUBLIC_URL + path
    return request.build_absolute_uri(path)


def post_title(post: Post, limit: int = 110) -> str:
    """The headline, or for a headline-less post the start of its text (feeds and JSON-LD need a title)."""
    if post.headline:
        return post.headline
    text = " ".join(strip_tags(post.body).split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def verification_text(post: Post) -> str:
    """The label and the note as one line: "Unverified. We could not …"; empty when the post has neither."""
    label = post.get_verification_display() + "." if post.verification else ""
    return " ".join(part for part in (label, post.verification_note) if part)


def plain_text(post: Post) -> str:
    parts = [strip_tags(post.body)]
    if post.verification or post.verification_note:
        parts.append("Verification: " + verification_text(post))
    if post.update_note:
        parts.append(post.update_note)
    parts.extend("Correction: " + c.note for c in post_corrections(post))
    return "\n\n".join(p for p in parts if p)


def blog_date(blog: LiveBlog) -> datetime:
    """The day a blog covers, in its own zone (the page title is dated with it)."""
    when = blog.coverage_start or blog.created_at
    return when.astimezone(ZoneInfo(blog.time_zone))


def page_title(blog: LiveBlog) -> str:
    when = blog_date(blog)
    return f"{when:%B} {when.day}, {when.year} {blog.title} | {settings.DATELINE_PUBLISHER}"


def on_page(blog: LiveBlog, post: Post) -> str:
    """A post in place on the reader page: ``?post=`` opens the page that shows it (the first page, or the older
    page it is on), ``#post-<id>`` scrolls to it. A bare ``#post-<id>`` works only while the post is on page 1."""
    return f"{blog_path(blog)}?post={post.pk}#post-{post.pk}"


def script_json(data: Any) -> str:
    """JSON safe inside ``<script>``: ``<``, ``>`` and ``&`` escaped, so no text can close the element."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def live_blog_posting(request: HttpRequest, blog: LiveBlog, posts: Iterable[Post]) -> dict[str, Any]:
    """schema.org ``LiveBlogPosting`` with one ``BlogPosting`` per post shown on the page."""
    page = absolute(request, blog_path(blog))
    publisher = {"@type": "Organization", "name": settings.DATELINE_PUBLISHER,
                 "url": absolute(request, "/")}
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "LiveBlogPosting",
        "@id": page,
        "url": page,
        "mainEntityOfPage": page,
        "headline": page_title(blog).rsplit(" | ", 1)[0],
        "description": blog.description or blog.title,
        "datePublished": iso(blog.coverage_start or blog.created_at),
        "dateModified": iso(blog.updated_at),
        "coverageStartTime": iso(blog.coverage_start or blog.created_at),
        "publisher": publisher,
        "author": publisher,
    }
    if blog.status == LiveBlog.Status.ENDED and blog.coverage_end:
        data["coverageEndTime"] = iso(blog.coverage_end)
    if blog.lead_media and blog.lead_media.kind == "video" and blog.lead_media.url:
        video = blog.lead_media
        data["video"] = {
            "@type": "VideoObject", "name": video.title or blog.title, "contentUrl": video.url,
            "description": video.caption or video.title or blog.title,
            "uploadDate": iso(blog.coverage_start or blog.created_at),
            **({"duration": f"PT{video.duration_seconds}S"} if video.duration_seconds else {}),
            **({"creditText": video.credit} if video.credit else {}),
        }
    data["liveBlogUpdate"] = [blog_posting(request, post, f"{page}#post-{post.pk}") for post in posts]
    return data


def blog_posting(request: HttpRequest, post: Post, url: str | None = None) -> dict[str, Any]:
    """One post as schema.org ``BlogPosting`` (an update of the live blog, or the share page's main entity)."""
    publisher = {"@type": "Organization", "name": settings.DATELINE_PUBLISHER, "url": absolute(request, "/")}
    url = url or absolute(request, post_path(post))
    data: dict[str, Any] = {
        "@type": "BlogPosting",
        "@id": url,
        "url": url,
        "headline": post_title(post),
        "datePublished": iso(post.published_at),
        "dateModified": iso(max(post.updated_at, post.published_at or post.updated_at)),
        "articleBody": plain_text(post),
        "author": [{"@type": "Person", "name": a.byline} for a in post_authors(post)] or publisher,
        "publisher": publisher,
    }
    corrections = post_corrections(post)
    if corrections:  # schema.org/correction: what was wrong and when it was put right
        data["correction"] = [{"@type": "CorrectionComment", "text": c.note, "datePublished": iso(c.created_at)}
                              for c in corrections]
    if url.startswith(absolute(request, post_path(post))):  # on its own page: a standalone document
        data = {"@context": "https://schema.org", **data, "mainEntityOfPage": url,
                "isPartOf": {"@type": "LiveBlogPosting", "@id": absolute(request, blog_path(post.blog)),
                             "url": absolute(request, blog_path(post.blog))}}
    return data


def json_feed(request: HttpRequest, blog: LiveBlog, posts: Iterable[Post]) -> dict[str, Any]:
    """JSON Feed 1.1 (https://jsonfeed.org/version/1.1)."""
    page = absolute(request, blog_path(blog))
    return {
        "version": "https://jsonfeed.org/version/1.1",
        "title": page_title(blog),
        "home_page_url": page,
        "feed_url": absolute(request, f"{blog_path(blog)}feed.json"),
        "description": blog.description,
        "language": settings.LANGUAGE_CODE,
        "authors": [{"name": settings.DATELINE_PUBLISHER, "url": absolute(request, "/")}],
        "_dateline": {"status": blog.status, "seq": blog.seq},
        "items": [
            {
                "id": absolute(request, post_path(post)),
                "url": absolute(request, on_page(blog, post)),
                "external_url": absolute(request, post_path(post)),
                "title": post_title(post),
                "content_html": feed_html(post),
                "content_text": plain_text(post),
                "date_published": iso(post.published_at),
                "date_modified": iso(post.updated_at),
                "authors": [{"name": a.byline} for a in post_authors(post)],
                "tags": list(post.tags),
            }
            for post in posts
        ],
    }


def feed_html(post: Post) -> str:
    """A feed item's HTML: the sanitised body plus the notes readers see on the page."""
    html = post.body
    if post.verification or post.verification_note:
        html += f"<p><strong>Verification:</strong> {escape(verification_text(post))}</p>"
    if post.update_note:
        html += f"<p><em>{escape(post.update_note)}</em></p>"
    for c in post_corrections(post):
        html += f"<p><strong>Correction:</strong> {escape(c.note)}</p>"
    return html
