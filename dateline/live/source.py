"""What the live edge reads from the change log: a narrow interface handed to it at start-up.

The edge never imports the models that hold blogs and changes (``dateline.coverage``): ``dateline/asgi.py`` gives
``LiveEdge`` an object with these four queries (``dateline.changefeed.ChangeFeed``, on the Django ORM), and
the tests give it one in memory. The methods are synchronous: the store (``store.py``) runs them in its worker
threads, never on the event loop.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class BlogHead:
    id: int
    slug: str
    seq: int


@dataclass(frozen=True, slots=True)
class ChangeRow:
    seq: int
    type: str
    data: str
    created_at: float  # epoch seconds: the publish→write latency of a change that only the database brought us
    subject: str = ""  # what it is about (dateline.events.subject), for compaction; "" = read it from data


class ChangeSource(Protocol):
    """The change log as the edge reads it; each call is one small query, run in a worker thread."""

    def blog_by_slug(self, slug: str) -> BlogHead | None:
        """The blog's id and latest seq, or None when no blog has this slug."""

    def changes_after(self, blog_id: int, after: int, limit: int) -> list[ChangeRow]:
        """Changes with seq > after, oldest first, at most ``limit``."""

    def recent_changes(self, blog_id: int, count: int) -> list[ChangeRow]:
        """The latest ``count`` changes, oldest first."""

    def latest_seqs(self, blog_ids: list[int]) -> dict[int, int]:
        """Each existing blog's latest seq (a deleted blog is missing from the answer)."""
