"""Scheduling: a draft set to publish at a time (``publish_at``), and the scheduler publishing it then.

A scheduled draft is still a draft, so scheduling is no change readers see. It publishes as the person who
scheduled it (``Post.scheduled_by``), with their permissions as they are at that moment.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone

from dateline.coverage import permissions as perm
from dateline.coverage.actions.approve import approve_post
from dateline.coverage.actions.core import audit, locked_blog, reload_post
from dateline.coverage.actions.edit import EDIT_FIELDS
from dateline.coverage.actions.media import require_attachable
from dateline.coverage.actions.revising import apply_fields, require_may_publish, revising, save_version
from dateline.coverage.actions.validate import clean_post
from dateline.coverage.errors import ActionError, Forbidden, ValidationFailed
from dateline.coverage.models import Post
from dateline.coverage.permissions import Actor
from dateline.events import PostUpdated


def check_schedule(actor: Actor, publish_at: datetime, now: datetime) -> None:
    if not perm.can_publish(actor):
        raise Forbidden("Only editors and reporters can schedule posts; contributors submit drafts for approval.")
    if publish_at <= now:
        raise ValidationFailed("A scheduled time must be in the future.",
                               fields={"publish_at": "Must be in the future."})


def schedule_post(actor: Actor, post: Post, *, publish_at: Any, expected_version: int | None = None,
                  now: datetime | None = None, **given: Any) -> Post:
    """Set (or, with ``publish_at=None``, cancel) a draft's publication time, with edits of the draft."""
    clean = clean_post({**given, "publish_at": publish_at}, EDIT_FIELDS | {"publish_at"})
    now = now or timezone.now()
    with revising(actor, post, expected_version) as (blog, post):
        if "media" in clean:
            require_attachable(actor, blog, clean["media"], post=post)
        changed = apply_fields(actor, post, clean)
        if "publish_at" in changed:
            post.scheduled_by = perm.account(actor) if post.publish_at is not None else None
            if post.publish_at is not None:
                if post.status != Post.Status.DRAFT:
                    raise ValidationFailed("Only drafts can be scheduled.", fields={"publish_at": "Already published."})
                check_schedule(actor, post.publish_at, now)
                require_may_publish(actor, post)
        # A draft's edits are no change for readers (save_version records none for it); a published post that still
        # carries the time it was scheduled for may have that cleared along with edits, which readers do see.
        return save_version(actor, blog, post, changed, now, PostUpdated)


def publish_scheduled_post(post: Post, *, now: datetime | None = None) -> Post | None:
    """Publish a scheduled draft as the person who scheduled it, with their permissions as they are now.

    If they may no longer publish (role changed, taken off the blog's team), the schedule is cancelled and audited
    rather than retried forever; the draft stays for an editor to approve. Returns the post if it was published.
    """
    now = now or timezone.now()
    actor = post.scheduled_by or post.created_by  # created_by: posts scheduled before scheduled_by was recorded
    try:
        if actor is None:
            raise Forbidden("Nobody to publish it as: the account that scheduled it is gone.")
        return approve_post(actor, post, now=now)
    except ActionError as refused:
        with locked_blog(post.blog) as blog:
            fresh = reload_post(post, blog)
            if fresh.status == Post.Status.DRAFT and fresh.publish_at is not None:
                fresh.publish_at = fresh.scheduled_by = None
                fresh.save(update_fields=["publish_at", "scheduled_by"])
            audit(None, "post.schedule_cancelled", blog, fresh, reason=refused.message)
        return None
