"""The live edge's only database access: a few small queries, run in a dedicated worker thread.

The edge never queries per reader or per event on the event loop. It reads the database when a blog is first
asked for (its id, latest seq and most recent changes, one query each), to fill a ``seq`` gap, to serve a resume
older than the in-memory ring, and once every second or two to compare every followed blog's latest seq with what
it has delivered (one query for all of them).

Django connections belong to the thread that opened them, so each job closes connections that are unusable or past
``CONN_MAX_AGE`` before and after it runs, as Django's request cycle does.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TypeVar

from django.db import close_old_connections

T = TypeVar("T")


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


def _blog_by_slug(slug: str) -> BlogHead | None:
    from dateline.coverage.models import LiveBlog

    row = LiveBlog.objects.filter(slug=slug).values_list("id", "seq").first()
    return BlogHead(id=row[0], slug=slug, seq=row[1]) if row else None


def _changes_after(blog_id: int, after: int, limit: int) -> list[ChangeRow]:
    from dateline.coverage.models import Change

    rows = (Change.objects.filter(blog_id=blog_id, seq__gt=after).order_by("seq")
            .values_list("seq", "type", "data", "created_at")[:limit])
    return [ChangeRow(seq, type_, data, created.timestamp()) for seq, type_, data, created in rows]


def _recent_changes(blog_id: int, count: int) -> list[ChangeRow]:
    from dateline.coverage.models import Change

    rows = (Change.objects.filter(blog_id=blog_id).order_by("-seq")
            .values_list("seq", "type", "data", "created_at")[:count])
    return [ChangeRow(seq, type_, data, created.timestamp()) for seq, type_, data, created in reversed(rows)]


def _latest_seqs(blog_ids: list[int]) -> dict[int, int]:
    from dateline.coverage.models import LiveBlog

    return dict(LiveBlog.objects.filter(id__in=blog_ids).values_list("id", "seq"))


def _job(fn: Callable[..., T], *args: object) -> T:
    close_old_connections()
    try:
        return fn(*args)
    finally:
        close_old_connections()


class Store:
    """Async front for the queries above; one or two worker threads, shared by every reader of the process."""

    def __init__(self, threads: int = 2) -> None:
        self._threads = threads
        self._executor: ThreadPoolExecutor | None = None

    def _run(self, fn: Callable[..., T], *args: object) -> asyncio.Future[T]:
        if self._executor is None:
            self._executor = ThreadPoolExecutor(self._threads, thread_name_prefix="dateline-live-db")
        return asyncio.get_running_loop().run_in_executor(self._executor, _job, fn, *args)

    async def blog_by_slug(self, slug: str) -> BlogHead | None:
        return await self._run(_blog_by_slug, slug)

    async def changes_after(self, blog_id: int, after: int, limit: int) -> list[ChangeRow]:
        """Changes with seq > after, oldest first, at most ``limit``."""
        return await self._run(_changes_after, blog_id, after, limit)

    async def recent_changes(self, blog_id: int, count: int) -> list[ChangeRow]:
        """The latest ``count`` changes, oldest first."""
        return await self._run(_recent_changes, blog_id, count)

    async def latest_seqs(self, blog_ids: Iterable[int]) -> dict[int, int]:
        """Each existing blog's latest seq (a deleted blog is missing from the answer)."""
        return await self._run(_latest_seqs, list(blog_ids))

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None
