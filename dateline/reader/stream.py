"""What a reader page shows, read consistently and paged by keyset.

The stream is a blog's published, unpinned posts, newest first, ordered by ``(published_at, id)``. A page is found
with a keyset condition on that pair, so the query walks the ``(blog, status, -published_at, -id)`` index from the
cursor and reads ``limit + 1`` rows whatever the blog's size: page 1 of a 5,000-post blog costs what page 1 of a
50-post blog costs (no ``OFFSET``, whose cost grows with the page number). Timestamp-only cursors skip or repeat
posts published in the same microsecond; the ``id`` tie-breaker makes the order total.

Posts are shipped as their stored fragments (``Post.html``, rendered once by the action): nothing is rendered per
request. Pinned posts are shown in their own section above the stream, not twice.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.db.models import Q, QuerySet

from dateline.coverage.models import LiveBlog, Post

PAGE_SIZE = 20
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MAX_PAGE_SIZE = 100
# Reading the page is optimistic: read seq, read content, check seq again; retry if a change committed meanwhile.
SNAPSHOT_ATTEMPTS = 3


class BadCursor(ValueError):
    """A ``before`` cursor that this server did not produce."""


@dataclass(frozen=True, slots=True)
class Cursor:
    published_at: datetime
    post_id: int

    def encode(self) -> str:
        # Integer microseconds, not float seconds: float rounding would make the keyset skip or repeat a post.
        micros = _micros(self.published_at)
        raw = f"{micros}.{self.post_id}".encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, token: str) -> Cursor:
        try:
            padded = token + "=" * (-len(token) % 4)
            micros_s, id_s = base64.urlsafe_b64decode(padded.encode()).decode().split(".")
            micros, post_id = int(micros_s), int(id_s)
            when = EPOCH + timedelta(microseconds=micros)
        except (ValueError, binascii.Error, UnicodeDecodeError, OverflowError) as exc:
            raise BadCursor("Not a cursor from this server.") from exc
        if post_id <= 0:
            raise BadCursor("Not a cursor from this server.")
        return cls(when, post_id)

    @classmethod
    def after(cls, post: Post) -> Cursor:
        assert post.published_at is not None
        return cls(post.published_at, post.pk)

    @classmethod
    def at(cls, post: Post) -> Cursor:
        """Just above ``post`` in the stream: the page from here starts with it (the keyset takes ``id <`` this)."""
        assert post.published_at is not None
        return cls(post.published_at, post.pk + 1)


def _micros(value: datetime) -> int:
    delta = value - EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def published(blog: LiveBlog) -> QuerySet[Post]:
    return Post.objects.filter(blog=blog, status=Post.Status.PUBLISHED)


def stream_page(
    blog: LiveBlog, before: Cursor | None = None, limit: int = PAGE_SIZE
) -> tuple[list[Post], Cursor | None]:
    """One page of unpinned posts, newest first, strictly older than ``before``; and the cursor of the next page."""
    limit = max(1, min(limit, MAX_PAGE_SIZE))
    query = published(blog).filter(pinned=False)
    if before is not None:
        query = query.filter(
            Q(published_at__lt=before.published_at) | Q(published_at=before.published_at, pk__lt=before.post_id)
        )
    # The page ships stored fragments; authors and corrections are read by its JSON-LD (reader/structured.py).
    rows = list(query.order_by("-published_at", "-pk")
                .prefetch_related("postauthor_set__user", "corrections")[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (Cursor.after(rows[-1]) if more and rows else None)


def newer_than(blog: LiveBlog, cursor: Cursor) -> int:
    """How many stream posts come before the cursor (the position of a server-rendered page 2 in the feed)."""
    return published(blog).filter(pinned=False).filter(
        Q(published_at__gt=cursor.published_at) | Q(published_at=cursor.published_at, pk__gte=cursor.post_id)
    ).count()


def page_of(blog: LiveBlog, post_id: int) -> Cursor | None:
    """Where the page showing a post starts: ``None`` for the live first page (the post is pinned, among the newest
    ``PAGE_SIZE``, or not a published post of this blog), else a cursor whose page opens with the post.

    So ``/live/<slug>/?post=<id>#post-<id>`` lands on the post wherever it is, without JavaScript: the server cannot
    see the ``#post-<id>`` fragment, but it can see ``?post=``. Two small queries (the post, then an index count).
    """
    post = published(blog).filter(pk=post_id).only("pk", "published_at", "pinned").first()
    if post is None or post.pinned:
        return None
    cursor = Cursor.at(post)
    return cursor if newer_than(blog, cursor) >= PAGE_SIZE else None


@dataclass
class Snapshot:
    """Everything one reader page shows, consistent with ``seq``: no change falls between render and subscribe."""

    blog: LiveBlog
    seq: int
    post_count: int
    pinned: list[Post]
    posts: list[Post]
    next_cursor: Cursor | None
    offset: int = 0  # stream posts before this page
    extra: dict = field(default_factory=dict)

    @property
    def stream_count(self) -> int:
        return self.post_count - len(self.pinned)


def snapshot(slug: str, before: Cursor | None = None, limit: int = PAGE_SIZE) -> Snapshot:
    """Read a blog page so that it shows exactly the state at ``seq``.

    Every action bumps ``LiveBlog.seq`` in the transaction that writes the content. We read the blog row (seq, key
    points, header fields: one row, so consistent), then the posts, then the seq again. Equal seqs mean no change
    committed in between, so the page is exactly the state at ``seq``. This needs no long read transaction (on SQLite
    an IMMEDIATE transaction would take the write lock and queue readers behind writers). If changes keep
    committing we keep the first seq: the content is then *newer* than seq, and the browser replays the changes
    after it, which it applies idempotently (an insert of a present post replaces it; a deletion of an absent post
    is a no-op), so nothing is lost or doubled.
    """
    first: Snapshot | None = None
    for _ in range(SNAPSHOT_ATTEMPTS):
        blog = LiveBlog.objects.select_related("lead_media", "story").get(slug=slug)
        count = published(blog).count()
        pinned = list(published(blog).filter(pinned=True).order_by("-published_at", "-pk")
                      .prefetch_related("postauthor_set__user", "corrections")) if before is None else []
        posts, next_cursor = stream_page(blog, before, limit)
        offset = newer_than(blog, before) if before is not None else 0
        snap = Snapshot(blog, blog.seq, count, pinned, posts, next_cursor, offset)
        first = first or snap
        if LiveBlog.objects.filter(pk=blog.pk).values_list("seq", flat=True).get() == blog.seq:
            return snap
    assert first is not None
    return first
