"""The steps every change to an existing post shares: lock, check the version, apply fields, keep a version.

The verbs (``edit``, ``pin``, ``approve``, ``correct``, ``schedule``) each open ``revising``, apply what they are
about with ``apply_fields``, and finish with ``save_version``, naming the one event readers get (or none, for a
draft). Which event it is follows from the verb, never from which fields happened to change.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from dateline.accounts.models import User
from dateline.coverage import permissions as perm
from dateline.coverage.actions.core import (
    PostEvent,
    audit,
    locked_blog,
    record_post,
    reload_post,
    revise,
    with_relations,
)
from dateline.coverage.errors import Conflict, Forbidden, StaleVersion, ValidationFailed
from dateline.coverage.models import Correction, LiveBlog, Post, PostAuthor, PostMedia
from dateline.coverage.permissions import Actor
from dateline.coverage.render import render_post
from dateline.coverage.serializers import post_authors, post_data

STALE = "This post was changed by someone else since you loaded it. Reload it and apply your change again."


@contextmanager
def revising(actor: Actor, post: Post, expected_version: int | None) -> Iterator[tuple[LiveBlog, Post]]:
    """The blog locked and the post as it is now, once the actor may change it and nobody else has since
    ``expected_version`` (StaleVersion otherwise, carrying the current post)."""
    perm.require_user(actor)
    with locked_blog(post.blog) as blog:
        post = reload_post(post, blog)
        if post.status == Post.Status.DELETED:
            raise Conflict("This post is deleted; restore it before editing.", code="post_deleted")
        perm.require_can_edit(actor, post)
        if expected_version is not None and expected_version != post.version:
            raise StaleVersion(STALE, extra={"current": post_data(post)})
        yield blog, post


def require_in_byline(actor: Actor, authors: list[User]) -> None:
    """Editors credit anyone; others may add colleagues to a byline but not file under someone else's name alone."""
    if not perm.is_editor(actor) and actor.pk not in {u.pk for u in authors}:
        raise Forbidden("Include yourself among the authors; only editors can credit a post to others alone.",
                        fields={"authors": "Must include you."})


def require_may_publish(actor: Actor, post: Post) -> None:
    """Publishing a draft, now or at a set time: editors any draft (approval); reporters only drafts they filed,
    not a contributor's draft that merely lists them as an author."""
    if not perm.can_publish(actor):
        raise Forbidden("Only editors and reporters can publish; an editor approves contributors' drafts.")
    if not perm.is_editor(actor) and post.created_by_id != actor.pk:
        raise Forbidden("Only editors can publish a draft someone else filed.")


def set_authors(post: Post, users: list[User]) -> None:
    PostAuthor.objects.filter(post=post).delete()
    PostAuthor.objects.bulk_create(PostAuthor(post=post, user=u, position=i) for i, u in enumerate(users))


def set_media(post: Post, media: list[Any]) -> None:
    PostMedia.objects.filter(post=post).delete()
    PostMedia.objects.bulk_create(PostMedia(post=post, media=m, position=i) for i, m in enumerate(media))


def apply_fields(actor: Actor, post: Post, clean: dict[str, Any]) -> set[str]:
    """Write the validated fields that differ from the post's; the names of those that did."""
    changed: set[str] = set()
    for name, value in clean.items():
        if name == "authors":
            if [u.pk for u in value] != [u.pk for u in post_authors(post)]:
                require_in_byline(actor, value)
                set_authors(post, value)
                changed.add(name)
        elif name == "media":
            current = list(post.postmedia_set.order_by("position").values_list("media_id", flat=True))
            if [m.pk for m in value] != current:
                set_media(post, value)
                changed.add(name)
        elif getattr(post, name) != value:
            changed.add(name)
            setattr(post, name, value)
    if "pinned" in changed and not perm.is_editor(actor):
        raise Forbidden("Only editors can pin posts.")
    if "authors" in changed and not post.authors.exists():
        raise ValidationFailed("A post needs at least one author.", fields={"authors": "Required."})
    return changed


def save_version(actor: Actor, blog: LiveBlog, post: Post, changed: set[str], now: datetime,
                 event: PostEvent | None, *, correction: str = "") -> Post:
    """A new version of the post: its fragment rendered once, a revision, an audit entry and — when ``event`` is
    given and the post is public — that one change for readers. Nothing at all when nothing changed.

    A change of the pin alone does not move ``updated_at``: that is the reader-visible "Updated" time.
    """
    if correction:
        changed = changed | {"correction"}
    if not changed:
        return post
    post.version += 1
    if changed - {"pinned"}:
        post.updated_at = now
    if correction:
        Correction.objects.create(post=post, blog=blog, note=correction, created_at=now, version=post.version,
                                  created_by=perm.account(actor))
    post.html = render_post(with_relations(post))
    post.save()
    revise(post, actor)
    audit(actor, "post.edit", blog, post, fields=sorted(changed), **({"correction": correction} if correction else {}))
    if event is not None and post.is_public:
        record_post(blog, event, post)
    return post
