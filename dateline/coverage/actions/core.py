"""The transaction core every action shares: lock the blog, record one change with the next seq, publish on commit.

Every action checks permission, validates, writes the content, a revision (for posts), an audit entry and — when
readers would see a difference — exactly one ``Change`` with the blog's next ``seq``, all in one transaction. The
change is handed to the broker only after the transaction commits, so no reader ever sees a change that was rolled
back, and ``seq`` is gap-free: it is taken under the blog's row lock (``SELECT … FOR UPDATE`` on PostgreSQL; on
SQLite the IMMEDIATE transaction already holds the database's write lock), so commit order is ``seq`` order.

The action decides what kind of change it makes by building one of the event classes of ``dateline.events``;
``record`` only stamps it with the seq.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.models import prefetch_related_objects
from django.utils import timezone

from dateline.audit.log import record as audit_record
from dateline.broker import get_broker
from dateline.broker.messages import ChangeMessage
from dateline.coverage import mediafiles
from dateline.coverage import permissions as perm
from dateline.coverage.errors import Conflict, NotFound
from dateline.coverage.models import Change, LiveBlog, Post, PostRevision
from dateline.coverage.permissions import Actor
from dateline.coverage.serializers import POST_RELATIONS, deleted_post_data, post_data
from dateline.events import (
    ChangeEvent,
    PostDeleted,
    PostPinned,
    PostPublished,
    PostUnpinned,
    PostUpdated,
    compacted,
    rewritten_subjects,
    subject,
)

PostEvent = type[PostPublished] | type[PostUpdated] | type[PostPinned] | type[PostUnpinned]


@contextmanager
def locked_blog(blog: LiveBlog) -> Iterator[LiveBlog]:
    """One transaction holding the blog's row lock: every writer of a blog queues here, in seq order."""
    with transaction.atomic():
        # ``of=("self",)``: the lock query joins nullable relations, which PostgreSQL cannot lock FOR UPDATE.
        yield LiveBlog.objects.select_for_update(of=("self",)).select_related("lead_media", "story").get(pk=blog.pk)


def record(blog: LiveBlog, event: ChangeEvent) -> Change:
    """Record one reader-visible change with the blog's next seq; publish it once the transaction commits.

    Call only inside ``locked_blog``: the seq is read and bumped under its lock.
    """
    blog.seq += 1
    LiveBlog.objects.filter(pk=blog.pk).update(seq=blog.seq, updated_at=timezone.now())
    wire = event.wire(blog.seq)
    encoded = _encode(wire)
    change = Change.objects.create(blog=blog, seq=blog.seq, type=event.type, data=encoded, subject=subject(wire))
    compact(blog, wire)
    message = ChangeMessage(blog_id=blog.pk, slug=blog.slug, seq=blog.seq, type=event.type, data=encoded)
    transaction.on_commit(lambda: get_broker().publish(message))
    return change


def _encode(data: dict[str, Any]) -> str:
    return json.dumps(data, cls=DjangoJSONEncoder, separators=(",", ":"), ensure_ascii=False)


def compact(blog: LiveBlog, newer: dict[str, Any]) -> int:
    """Rewrite the older changes that ``newer`` supersedes (dateline.events.compacted), in the same transaction:
    a deleted post's text, an edited-away sentence, old key points leave ``/changes`` and SSE replay with the
    commit. Only the changes about the same subject are read (an index), never the whole log."""
    rows = list(Change.objects.filter(blog=blog, subject__in=rewritten_subjects(newer), seq__lt=newer["seq"])
                .only("pk", "seq", "type", "data"))
    rewritten = []
    for row in rows:
        data = compacted(json.loads(row.data), newer)
        if data is not None:
            rewritten.append((data["type"], _encode(data), row.pk))
    if rewritten:
        # One statement run per row (executemany), not bulk_update: its CASE WHEN expressions cost Django ~1.5 ms
        # a row to build, which made the 200th edit of one post 130 ms (bench/compaction).
        table = connection.ops.quote_name(Change._meta.db_table)
        with connection.cursor() as cursor:
            cursor.executemany(f"UPDATE {table} SET type = %s, data = %s WHERE id = %s", rewritten)  # noqa: S608
    return len(rewritten)


def audit(actor: Actor | None, action: str, blog: LiveBlog | None = None, post: Post | None = None,
          **detail: Any) -> None:
    audit_record(perm.account(actor), action, blog=blog, post=post, **detail)


def post_count(blog: LiveBlog) -> int:
    return Post.objects.filter(blog=blog, status=Post.Status.PUBLISHED).count()


def record_post(blog: LiveBlog, kind: PostEvent, post: Post) -> Change:
    """A change that carries the whole post and its fragment (published, updated, pinned, unpinned)."""
    mediafiles.sync_on_commit(mediafiles.media_of_post(post.pk))  # its images become public, or stop being
    return record(blog, kind(html=post.html, post=post_data(post), post_count=post_count(blog)))


def record_deletion(blog: LiveBlog, post: Post) -> Change:
    mediafiles.sync_on_commit(mediafiles.media_of_post(post.pk))  # what only this post showed is withdrawn
    return record(blog, PostDeleted(html="", post=deleted_post_data(post), post_count=post_count(blog)))


def revise(post: Post, actor: Actor | None) -> None:
    """Keep this version of the post (History shows and restores it)."""
    PostRevision.objects.create(post=post, version=post.version, data=post_data(post), edited_by=perm.account(actor))


def with_relations(post: Post) -> Post:
    """Load the byline, media and corrections once, after the action wrote them: the fragment, the revision, the
    change and the API answer all read them, which would otherwise be four queries each (30 per publish)."""
    prefetch_related_objects([post], *POST_RELATIONS)
    return post


def reload_post(post: Post, blog: LiveBlog) -> Post:
    """The post as it is now, locked, inside the blog's transaction (the caller's copy may be stale)."""
    fresh = Post.objects.select_for_update().filter(pk=post.pk, blog=blog).first()
    if fresh is None:
        raise NotFound("No such post.")
    fresh.blog = blog
    return fresh


def require_open(blog: LiveBlog) -> None:
    """An ended blog takes no new posts: readers were told coverage is over. Edits and corrections still go in;
    an editor who needs to add something reopens the blog (status ``live``)."""
    if blog.status == LiveBlog.Status.ENDED:
        raise Conflict("This live blog has ended, so it takes no new posts; an editor can reopen it.",
                       code="blog_ended")
