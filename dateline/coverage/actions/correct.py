"""Correcting a published post: a note that says what was wrong, published with the edit that fixes it.

The note becomes one ``Correction`` row carried by the new version, shown at the end of the post and in the blog's
corrections log. A correction alone is an edit readers see (``post.updated``); with other fields it is still that
one change, never a second. Only published posts take corrections: a draft is simply fixed, nobody has read it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone

from dateline.coverage.actions.edit import EDIT_FIELDS
from dateline.coverage.actions.media import require_attachable
from dateline.coverage.actions.revising import apply_fields, revising, save_version
from dateline.coverage.actions.validate import clean_post
from dateline.coverage.errors import ValidationFailed
from dateline.coverage.models import Post
from dateline.coverage.permissions import Actor
from dateline.events import PostUpdated

NOT_PUBLISHED = ValidationFailed("Only published posts can carry a correction; fix a draft directly.",
                                 fields={"correction": "This post is not published."})


def correct_post(actor: Actor, post: Post, *, correction: Any, expected_version: int | None = None,
                 now: datetime | None = None, **given: Any) -> Post:
    """Publish ``correction`` (plain text, at most ``limits.MAX_NOTE`` characters) with an edit of ``given``.
    An empty correction is a plain edit."""
    clean = clean_post({**given, "correction": correction}, EDIT_FIELDS | {"correction", "publish_at"})
    note: str = clean.pop("correction")
    if clean.get("publish_at") is not None:  # only null: a published post may still carry the time it was due
        raise ValidationFailed("Only drafts can be scheduled.", fields={"publish_at": "Already published."})
    with revising(actor, post, expected_version) as (blog, post):
        if "media" in clean:
            require_attachable(actor, blog, clean["media"], post=post)
        if note and post.status != Post.Status.PUBLISHED:
            raise ValidationFailed(NOT_PUBLISHED.message, fields=NOT_PUBLISHED.fields)
        changed = apply_fields(actor, post, clean)
        if "publish_at" in changed:
            post.scheduled_by = None
        return save_version(actor, blog, post, changed, now or timezone.now(), PostUpdated, correction=note)
