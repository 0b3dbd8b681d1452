"""Approving a draft: it is published now (``post.published``), with any last edits the approver made.

Editors approve any draft; reporters publish drafts they filed themselves. A published post cannot go back to
draft (delete it instead), and an ended blog takes no new posts.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone

from dateline.coverage.actions.core import require_open
from dateline.coverage.actions.edit import EDIT_FIELDS
from dateline.coverage.actions.media import require_attachable
from dateline.coverage.actions.revising import apply_fields, require_may_publish, revising, save_version
from dateline.coverage.actions.validate import clean_post
from dateline.coverage.errors import ValidationFailed
from dateline.coverage.models import Post
from dateline.coverage.permissions import Actor
from dateline.events import PostPublished, PostUpdated


def approve_post(actor: Actor, post: Post, *, expected_version: int | None = None, now: datetime | None = None,
                 **given: Any) -> Post:
    """Publish a draft, with the edits in ``given``. If someone published it meanwhile, the edits are an edit.
    ``publish_at=None`` may come with it: publishing now ends a schedule anyway."""
    clean = clean_post(given, EDIT_FIELDS | {"publish_at"})
    if clean.get("publish_at") is not None:
        raise ValidationFailed("Publish now or schedule it, not both.",
                               fields={"publish_at": "Conflicts with publishing now."})
    now = now or timezone.now()
    with revising(actor, post, expected_version) as (blog, post):
        if "media" in clean:
            require_attachable(actor, blog, clean["media"], post=post)
        changed = apply_fields(actor, post, clean)
        if post.status == Post.Status.PUBLISHED:
            return save_version(actor, blog, post, changed, now, PostUpdated)
        require_open(blog)
        require_may_publish(actor, post)
        if "publish_at" in changed:
            post.scheduled_by = None
        post.status = Post.Status.PUBLISHED
        post.published_at = post.published_at or now
        return save_version(actor, blog, post, changed | {"status"}, now, PostPublished)
