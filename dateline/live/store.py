"""The live edge's only database access: a few small queries, run in a dedicated worker thread.

The edge never queries per reader or per event on the event loop. It reads the database when a blog is first
asked for (its id, latest seq and most recent changes, one query each), to fill a ``seq`` gap, to serve a resume
older than the in-memory ring, and once every second or two to compare every followed blog's latest seq with what
it has delivered (one query for all of them). The queries themselves are the ``ChangeSource`` the edge was given
(``source.py``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from dateline.live.source import BlogHead, ChangeRow, ChangeSource

T = TypeVar("T")


class Store:
    """Async front for a ``ChangeSource``; one or two worker threads, shared by every reader of the process."""

    def __init__(self, source: ChangeSource, threads: int = 2) -> None:
        self.source = source
        self._threads = threads
        self._executor: ThreadPoolExecutor | None = None

    def _run(self, fn: Callable[..., T], *args: object) -> asyncio.Future[T]:
        if self._executor is None:
            self._executor = ThreadPoolExecutor(self._threads, thread_name_prefix="dateline-live-db")
        return asyncio.get_running_loop().run_in_executor(self._executor, fn, *args)

    async def blog_by_slug(self, slug: str) -> BlogHead | None:
        return await self._run(self.source.blog_by_slug, slug)

    async def changes_after(self, blog_id: int, after: int, limit: int) -> list[ChangeRow]:
        """Changes with seq > after, oldest first, at most ``limit``."""
        return await self._run(self.source.changes_after, blog_id, after, limit)

    async def recent_changes(self, blog_id: int, count: int) -> list[ChangeRow]:
        """The latest ``count`` changes, oldest first."""
        return await self._run(self.source.recent_changes, blog_id, count)

    async def latest_seqs(self, blog_ids: Iterable[int]) -> dict[int, int]:
        """Each existing blog's latest seq (a deleted blog is missing from the answer)."""
        return await self._run(self.source.latest_seqs, list(blog_ids))

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None
