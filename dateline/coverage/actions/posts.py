"""Filing a post: published at once (for those who may publish), a draft, or a draft scheduled to publish."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone

from dateline.coverage import permissions as perm
from dateline.coverage.actions.core import audit, locked_blog, record_post, require_open, revise, with_relations
from dateline.coverage.actions.media import require_attachable
from dateline.coverage.actions.revising import require_in_byline, set_authors, set_media
from dateline.coverage.actions.schedule import check_schedule
from dateline.coverage.actions.validate import CONTENT_FIELDS, clean_post
from dateline.coverage.errors import Forbidden, ValidationFailed
from dateline.coverage.models import LiveBlog, Post
from dateline.coverage.permissions import Actor
from dateline.coverage.render import render_post
from dateline.coverage.sanitize import strip_tags
from dateline.events import PostPublished

CREATE_FIELDS = CONTENT_FIELDS | {"status", "pinned", "publish_at"}


def create_post(actor: Actor, blog: LiveBlog, *, now: datetime | None = None, modified: datetime | None = None,
                **given: Any) -> Post:
    """File a post. With ``status`` omitted it publishes at once for those allowed to publish, else saves a draft;
    with ``publish_at`` it is a draft the scheduler publishes then. A published post is ``post.published``.

    ``now`` is when it is filed (and published); an importer gives the source's times, and ``modified`` when the
    source says the post last changed (kept as ``updated_at`` when later than ``now``)."""
    perm.require_on_team(actor, blog)
    clean = clean_post(given, CREATE_FIELDS)
    now = now or timezone.now()
    if clean.get("publish_at") is not None:
        check_schedule(actor, clean["publish_at"], now)
        if clean.get("status") == Post.Status.PUBLISHED:
            raise ValidationFailed("A scheduled post is published by the scheduler; leave status out.",
                                   fields={"status": "Conflicts with publish_at."})
        clean["status"] = Post.Status.DRAFT
    if not clean.get("headline") and not strip_tags(clean.get("body", "")) and not clean.get("media"):
        raise ValidationFailed("A post needs a headline, a body or media.",
                               fields={"headline": "Required when the post has no body or media."})
    status = clean.pop("status", None) or (Post.Status.PUBLISHED if perm.can_publish(actor) else Post.Status.DRAFT)
    if status == Post.Status.PUBLISHED and not perm.can_publish(actor):
        raise Forbidden("Contributors submit drafts; an editor publishes them.")
    if clean.get("pinned") and not perm.is_editor(actor):
        raise Forbidden("Only editors can pin posts.")
    authors = clean.pop("authors", None) or [actor]
    require_in_byline(actor, authors)
    media = clean.pop("media", [])
    require_attachable(actor, blog, media)
    with locked_blog(blog) as locked:
        require_open(locked)
        post = Post.objects.create(
            blog=locked, status=status, created_by=perm.account(actor), created_at=now,
            updated_at=max(now, modified) if modified is not None else now,
            published_at=now if status == Post.Status.PUBLISHED else None,
            scheduled_by=perm.account(actor) if clean.get("publish_at") else None, **clean,
        )
        set_authors(post, authors)
        set_media(post, media)
        post.html = render_post(with_relations(post))
        post.save(update_fields=["html"])
        revise(post, actor)
        audit(actor, "post.create", locked, post, status=status)
        if post.is_public:
            record_post(locked, PostPublished, post)
    return post
