"""Editing what a post says: its text, byline, tags, notes, verification label, media — and its pin, when an
edit changes that along with the rest. A public post's edit is one ``post.updated``; a draft's is no change."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone

from dateline.coverage.actions.media import require_attachable
from dateline.coverage.actions.revising import apply_fields, revising, save_version
from dateline.coverage.actions.validate import CONTENT_FIELDS, clean_post
from dateline.coverage.models import Post
from dateline.coverage.permissions import Actor
from dateline.events import PostUpdated

EDIT_FIELDS = CONTENT_FIELDS | {"pinned"}


def edit_post(actor: Actor, post: Post, *, expected_version: int | None = None, now: datetime | None = None,
              **given: Any) -> Post:
    """Change some fields of a post. Refused with StaleVersion if it changed since ``expected_version``; an edit
    that changes nothing writes nothing."""
    clean = clean_post(given, EDIT_FIELDS)
    with revising(actor, post, expected_version) as (blog, post):
        if "media" in clean:  # after the version check: a stale form is told to reload, not that media is foreign
            require_attachable(actor, blog, clean["media"], post=post)
        changed = apply_fields(actor, post, clean)
        return save_version(actor, blog, post, changed, now or timezone.now(), PostUpdated)
