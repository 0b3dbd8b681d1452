"""Pinning: the post moves to the top of the page (``post.pinned``) or back into the stream (``post.unpinned``).

Pinning bumps the post's version (its ETag) but not ``updated_at``, the reader-visible "Updated" time.
"""

from __future__ import annotations

from django.utils import timezone

from dateline.coverage import permissions as perm
from dateline.coverage.actions.revising import apply_fields, revising, save_version
from dateline.coverage.errors import Forbidden
from dateline.coverage.models import Post
from dateline.coverage.permissions import Actor
from dateline.events import PostPinned, PostUnpinned


def pin_post(actor: Actor, post: Post, *, expected_version: int | None = None) -> Post:
    """Pin ``post`` (editors). Already pinned: nothing changes."""
    return _set_pin(actor, post, True, expected_version)


def unpin_post(actor: Actor, post: Post, *, expected_version: int | None = None) -> Post:
    """Unpin ``post`` (editors). Not pinned: nothing changes."""
    return _set_pin(actor, post, False, expected_version)


def _set_pin(actor: Actor, post: Post, pinned: bool, expected_version: int | None) -> Post:
    with revising(actor, post, expected_version) as (blog, post):
        if post.pinned == pinned:
            return post  # nothing to change, so nobody is refused for asking (a client echoing the field back)
        if not perm.is_editor(actor):
            raise Forbidden("Only editors can pin posts.")
        changed = apply_fields(actor, post, {"pinned": pinned})
        return save_version(actor, blog, post, changed, timezone.now(), PostPinned if pinned else PostUnpinned)
