"""Deleting (softly) and restoring posts.

A deleted post leaves the page and the feeds (``post.deleted``) but stays in the database for editors to restore;
restoring a published post is ``post.published``, and readers put it back in its original place.
"""

from __future__ import annotations

from dateline.coverage import permissions as perm
from dateline.coverage.actions.core import (
    audit,
    locked_blog,
    record_deletion,
    record_post,
    reload_post,
    revise,
    with_relations,
)
from dateline.coverage.actions.key_points import record_key_points
from dateline.coverage.errors import StaleVersion
from dateline.coverage.models import KeyPoint, LiveBlog, Post
from dateline.coverage.permissions import Actor
from dateline.coverage.render import render_post
from dateline.coverage.serializers import post_data
from dateline.events import PostPublished


def delete_post(actor: Actor, post: Post, *, expected_version: int | None = None) -> Post:
    """Soft-delete: the post leaves the page and feeds but stays in the database for editors to restore."""
    perm.require_user(actor)
    with locked_blog(post.blog) as blog:
        post = reload_post(post, blog)
        if post.status != Post.Status.DELETED:
            perm.require_can_edit(actor, post)  # reporters: only their own; contributors: only their own drafts
        elif not perm.owns(actor, post):
            perm.require_editor(actor, "delete other people's posts")  # a deleted post is no one's to probe
        # Checked before "already deleted": a delete made from a stale copy is refused like any stale write (412
        # with the current post), so the client learns the post changed (deleted, perhaps restored and edited).
        if expected_version is not None and expected_version != post.version:
            raise StaleVersion("This post was changed by someone else since you loaded it.",
                               extra={"current": post_data(post)})
        if post.status == Post.Status.DELETED:
            return post  # deleting twice from the current version: nothing more to do
        was_public = post.is_public
        # Deleting a scheduled draft cancels its schedule: a post pulled back (an embargo, say) must not go out
        # by itself the moment an editor restores it.
        cancelled = post.publish_at if post.status == Post.Status.DRAFT else None
        post.status = Post.Status.DELETED
        post.version += 1
        if cancelled:
            post.publish_at = post.scheduled_by = None
        post.save(update_fields=["status", "version", "publish_at", "scheduled_by"])
        revise(post, actor)
        audit(actor, "post.delete", blog, post, **({"schedule_cancelled": cancelled} if cancelled else {}))
        if was_public:
            record_deletion(blog, post)
            _unlink_key_points(blog, post)
    return post


def _unlink_key_points(blog: LiveBlog, post: Post) -> None:
    """A key point linked to a post that is gone keeps its text and loses the link (readers' jump would land
    nowhere, and the list could not be saved unchanged). Restoring the post does not bring the link back."""
    if KeyPoint.objects.filter(blog=blog, post=post).update(post=None):
        record_key_points(blog, list(KeyPoint.objects.filter(blog=blog).order_by("position")))


def restore_post(actor: Actor, post: Post) -> Post:
    """Bring a deleted post back where it was: published posts reappear in their original place."""
    perm.require_editor(actor, "restore deleted posts")
    with locked_blog(post.blog) as blog:
        post = reload_post(post, blog)
        if post.status != Post.Status.DELETED:
            return post
        post.status = Post.Status.PUBLISHED if post.published_at else Post.Status.DRAFT
        post.version += 1
        post.html = render_post(with_relations(post))
        post.save(update_fields=["status", "version", "html"])
        revise(post, actor)
        audit(actor, "post.restore", blog, post)
        if post.is_public:
            record_post(blog, PostPublished, post)
    return post
