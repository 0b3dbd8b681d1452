"""A partial update as the API's PATCH or the newsroom's edit form sends it, routed to the verb it asks for.

A request names fields; this is the one place that reads which verb they amount to — by what the request asks,
not by what happened to change — and hands the rest to that verb, so a save stays one change for readers:

* ``status: "published"`` on a draft: approve it (with the other fields as last edits);
* a ``correction``: correct the post (with the other fields as the edit that fixes it);
* ``publish_at``: schedule the draft, or cancel its schedule with ``null`` (approving and correcting take a ``null``
  one too: publishing now ends a schedule, and a post the scheduler published still carries its time);
* ``pinned`` alone: pin or unpin;
* anything else: an edit.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from dateline.coverage.actions.approve import approve_post
from dateline.coverage.actions.correct import NOT_PUBLISHED, correct_post
from dateline.coverage.actions.edit import EDIT_FIELDS, edit_post
from dateline.coverage.actions.pin import pin_post, unpin_post
from dateline.coverage.actions.schedule import schedule_post
from dateline.coverage.errors import ValidationFailed
from dateline.coverage.models import Post
from dateline.coverage.permissions import Actor

STATUSES = (Post.Status.DRAFT, Post.Status.PUBLISHED)
# Everything a partial update may name (the API's PostPatch schema is checked against it).
PATCH_FIELDS = EDIT_FIELDS | {"status", "publish_at", "correction"}


def patch_post(actor: Actor, post: Post, *, expected_version: int | None = None, now: datetime | None = None,
               **given: Any) -> Post:
    """Apply ``given`` (any of a post's writable fields, ``status``, ``correction``) through its verb."""
    versioned: dict[str, Any] = {"expected_version": expected_version}
    if "correction" in given and (given["correction"] is None or (isinstance(given["correction"], str)
                                                                  and not given["correction"].strip())):
        del given["correction"]  # an empty correction is no correction (a client echoing the field back)
    if given.get("correction") and post.status != Post.Status.PUBLISHED:  # nobody has read a draft: nothing to correct
        raise ValidationFailed(NOT_PUBLISHED.message, fields=NOT_PUBLISHED.fields)
    if "status" in given:
        status = given.pop("status")
        if status not in STATUSES:
            raise ValidationFailed("Some fields are not valid.", fields={
                "status": "Must be 'draft' or 'published' (delete with DELETE, bring back with restore)."})
        if status == Post.Status.PUBLISHED and post.status == Post.Status.DRAFT:
            if given.get("publish_at") is not None:  # null with it: publish now, and the schedule is gone
                raise ValidationFailed("Publish now or schedule it, not both.",
                                       fields={"publish_at": "Conflicts with status 'published'."})
            return approve_post(actor, post, now=now, **versioned, **given)
        if status == Post.Status.DRAFT and post.status == Post.Status.PUBLISHED:
            raise ValidationFailed("A published post cannot go back to draft; delete it instead.",
                                   fields={"status": "Cannot unpublish."})
    if "correction" in given:
        return correct_post(actor, post, now=now, **versioned, **given)
    if "publish_at" in given:
        return schedule_post(actor, post, now=now, **versioned, **given)
    if set(given) == {"pinned"} and isinstance(given["pinned"], bool):
        return (pin_post if given["pinned"] else unpin_post)(actor, post, **versioned)
    return edit_post(actor, post, now=now, **versioned, **given)
