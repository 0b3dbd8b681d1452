"""Live blogs: opening one, changing its details (``blog.updated``), ending it (``blog.ended``), reopening it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from dateline.audit.models import AuditEntry
from dateline.coverage import mediafiles
from dateline.coverage import permissions as perm
from dateline.coverage.actions.core import audit, locked_blog, record
from dateline.coverage.actions.validate import RESERVED_SLUGS, clean_blog
from dateline.coverage.errors import Conflict, ValidationFailed
from dateline.coverage.models import LiveBlog
from dateline.coverage.permissions import Actor
from dateline.coverage.render import render_blog_header, render_key_points
from dateline.coverage.serializers import blog_data
from dateline.events import BlogEnded, BlogUpdated

SLUG_ATTEMPTS = 50  # inserts tried for a slug made from a title before giving up (409)


def create_blog(actor: Actor, *, now: datetime | None = None, **given: Any) -> LiveBlog:
    """Open a live blog. Its seq starts at 0: creating it is not a change readers replay."""
    perm.require_editor(actor, "create live blogs")
    if "title" not in given:
        raise ValidationFailed("A live blog needs a title.", fields={"title": "Required."})
    clean = clean_blog(given)
    now = now or timezone.now()
    slug = clean.pop("slug", None)
    clean.setdefault("status", LiveBlog.Status.LIVE)
    clean.setdefault("time_zone", "UTC")
    if clean["status"] != LiveBlog.Status.SCHEDULED:
        clean.setdefault("coverage_start", now)
    if clean["status"] == LiveBlog.Status.ENDED:
        clean.setdefault("coverage_end", now)
    if "coverage_end" in given:  # an end Dateline set itself (ending now) is not the client's mistake
        _require_coverage_order(clean.get("coverage_start"), clean.get("coverage_end"))
    if slug is not None:
        return _insert_blog(actor, slug, clean)
    # A slug made from the title: the first free "title", "title-2", … The check and the insert race with another
    # editor opening a blog of the same title, so an insert that loses the race takes the next number instead of
    # answering 409 for a slug the client never asked for.
    base = slugify(clean["title"])[:100] or "live"
    n = 1
    while True:
        slug = base if n == 1 else f"{base}-{n}"
        n += 1
        if slug in RESERVED_SLUGS or LiveBlog.objects.filter(slug=slug).exists():
            continue
        try:
            return _insert_blog(actor, slug, clean)
        except Conflict:
            if n > SLUG_ATTEMPTS:
                raise


def _require_coverage_order(start: datetime | None, end: datetime | None) -> None:
    if start is not None and end is not None and end < start:
        raise ValidationFailed("Coverage cannot end before it starts.",
                               fields={"coverage_end": "Before coverage_start."})


def _insert_blog(actor: Actor, slug: str, clean: dict[str, Any]) -> LiveBlog:
    try:
        with transaction.atomic():
            blog = LiveBlog.objects.create(slug=slug, created_by=perm.account(actor), **clean)
            blog.key_points_html = render_key_points(blog, [])
            blog.save(update_fields=["key_points_html"])
            audit(actor, "blog.create", blog)
            mediafiles.sync_on_commit([blog.lead_media_id])
    except IntegrityError:
        raise Conflict(f"A live blog with the slug '{slug}' already exists.", fields={"slug": "Taken."},
                       code="slug_taken") from None
    return blog


def update_blog(actor: Actor, blog: LiveBlog, **given: Any) -> LiveBlog:
    """Change a blog's details. Setting status to ``ended`` is ``blog.ended``; other visible edits ``blog.updated``."""
    perm.require_editor(actor, "change live blogs")
    if "slug" in given:
        raise ValidationFailed("A blog's slug cannot change (its URLs are shared).", fields={"slug": "Read-only."})
    clean = clean_blog(given)
    with locked_blog(blog) as locked:
        changed = {name for name, value in clean.items() if getattr(locked, name) != value}
        if not changed:
            return locked
        if "lead_media" in changed:  # the new lead image becomes public; the old one stops being, unless used
            mediafiles.sync_on_commit([locked.lead_media_id, getattr(clean["lead_media"], "pk", None)])
        for name in changed:
            setattr(locked, name, clean[name])
        ending = "status" in changed and locked.status == LiveBlog.Status.ENDED
        if ending and locked.coverage_end is None:
            locked.coverage_end = timezone.now()
        if "status" in changed and locked.status == LiveBlog.Status.LIVE:
            locked.coverage_end = None
            locked.coverage_start = locked.coverage_start or timezone.now()
        if changed & {"coverage_start", "coverage_end"}:
            _require_coverage_order(locked.coverage_start, locked.coverage_end)
        if "status" in changed:  # the key points heading says "What we covered here" once coverage ends
            locked.key_points_html = render_key_points(locked)
        locked.save()
        audit(actor, "blog.end" if ending else "blog.update", locked, fields=sorted(changed))
        record(locked, _blog_event(locked, ended=ending))
    return locked


def _blog_event(blog: LiveBlog, *, ended: bool) -> BlogUpdated | BlogEnded:
    """The blog's new details and header (``record`` stamps the blog's ``seq`` with the change's own)."""
    kind = BlogEnded if ended else BlogUpdated
    return kind(html=render_blog_header(blog), blog=blog_data(blog), key_points_html=blog.key_points_html)


def end_blog(actor: Actor, blog: LiveBlog) -> LiveBlog:
    """End the coverage (``blog.ended``): the page says so, and the blog takes no new posts."""
    return update_blog(actor, blog, status=LiveBlog.Status.ENDED)


def reopen_blog(actor: Actor, blog: LiveBlog) -> LiveBlog:
    """Take an ended blog live again (``blog.updated``): its end time is cleared."""
    return update_blog(actor, blog, status=LiveBlog.Status.LIVE)


def delete_blog(actor: Actor | None, blog: LiveBlog) -> None:
    """Delete a blog and everything in it, for good (the demo loader refreshing its own blogs; operators).

    ``actor`` None is the operator. Newsroom accounts need to be admins: this is not undoable, unlike a post's
    delete. Open streams of the blog end when the live edge notices the blog is gone (its next check).
    """
    if actor is not None:
        perm.require_admin(actor, "delete live blogs")
    with transaction.atomic():
        audit(actor, "blog.delete", None, slug=blog.slug, title=blog.title)
        mediafiles.sync_on_commit(mediafiles.media_of_blog(blog.pk))
        blog.delete()


def record_load(blog: LiveBlog, *, source: str, digest: str) -> None:
    """Note that the operator loaded ``blog`` from ``source`` (``"demo"``, an archive) with content ``digest``, so
    loading the same content again can be recognised and skipped (``loaded_from``)."""
    audit(None, f"{source}.load", blog, digest=digest)


def loaded_from(blogs: list[LiveBlog], source: str) -> dict[int, str]:
    """Blog id -> the digest of its latest load from ``source``, for the blogs among ``blogs`` that were loaded."""
    entries = AuditEntry.objects.filter(blog__in=blogs, action=f"{source}.load").order_by("created_at", "pk")
    return {blog_id: detail.get("digest", "") for blog_id, detail in entries.values_list("blog_id", "detail")}
