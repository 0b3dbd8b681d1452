"""The hub: the process's channels (one per followed blog), and how they are loaded, filled and kept current.

Each channel (``channel.py``) delivers its blog's changes in order; the hub feeds it broker messages, reads what a
channel missed from the database when it sees a gap (``fill``), and forgets blogs nobody follows.

Changes written where no broker reaches us (``dateline demo`` run beside a server on SQLite, or during a Redis
outage) are found by a periodic check: one query for the latest seq of every followed blog, every
``CHECK_INTERVAL`` seconds, and at once when the broker (re)connects.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Coroutine
from typing import Any

from dateline.broker import Broker
from dateline.broker.messages import ChangeMessage
from dateline.live.channel import Channel
from dateline.live.config import (
    ANSWER_CACHE_BYTES,
    ANSWER_MAX_BYTES,
    CATCH_UP_LIMIT,
    CHECK_INTERVAL,
    HEARTBEAT_INTERVAL,
    IDLE_CHANNEL_SECONDS,
    MISSING_SLUG_SECONDS,
    RING_SIZE,
)
from dateline.live.event import Event
from dateline.live.lru import ByteLRU
from dateline.live.metrics import LiveMetrics
from dateline.live.store import Store
from dateline.live.wire import HEARTBEAT

log = logging.getLogger(__name__)


class Hub:
    """The channels of one process, fed by the broker and kept current with the database."""

    def __init__(self, store: Store, ring_size: int = RING_SIZE) -> None:
        self.store = store
        self.ring_size = ring_size
        self.channels: dict[str, Channel] = {}
        self.by_id: dict[int, Channel] = {}
        self.metrics = LiveMetrics(self.reader_count)
        # /changes answers by (blog id, after, latest): a newer change makes a new latest, so an answer is never
        # served stale; they are pushed out, or dropped when compaction rewrote the changes they hold.
        self.answers: ByteLRU[tuple[int, int, int], Any] = ByteLRU(ANSWER_CACHE_BYTES, ANSWER_MAX_BYTES)
        self._loading: dict[str, asyncio.Future[Channel | None]] = {}
        self._missing: dict[str, float] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._check_now: asyncio.Event | None = None
        self._broker: Broker | None = None
        self.closing = False

    def forget_answers(self, blog_id: int) -> None:
        self.answers.discard(lambda key: key[0] != blog_id)

    def reader_count(self) -> int:
        return sum(len(ch.subscribers) for ch in self.channels.values())

    # --- lifecycle ---------------------------------------------------------------------------------------------

    async def start(self, broker: Broker) -> None:
        self._check_now = asyncio.Event()
        self._broker = broker
        await broker.subscribe(self.on_message, on_connect=self.check_soon)
        self._spawn(self._check_loop(), "dateline-live-check")
        self._spawn(self._heartbeat_loop(), "dateline-live-heartbeat")

    def close_streams(self) -> None:
        """End every open stream now (server shutdown): readers reconnect to another process or after the restart."""
        self.closing = True
        for ch in self.channels.values():
            ch.close_all(graceful=True)

    async def stop(self) -> None:
        self.close_streams()
        if self._broker is not None:
            with contextlib.suppress(Exception):
                await self._broker.unsubscribe(self.on_message)
            self._broker = None
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self.store.close()

    def _spawn(self, coro: Coroutine[Any, Any, None], name: str) -> None:
        task = asyncio.get_running_loop().create_task(coro, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # --- channels ----------------------------------------------------------------------------------------------

    async def channel(self, slug: str) -> Channel | None:
        """The channel of a blog, loading it (once, however many readers ask at the same moment); None if no blog."""
        ch = self.channels.get(slug)
        if ch is not None:
            ch.last_used = time.monotonic()
            return ch
        missing_until = self._missing.get(slug)
        if missing_until is not None and missing_until > time.monotonic():
            return None
        loading = self._loading.get(slug)
        if loading is None:
            loading = asyncio.get_running_loop().create_future()
            self._loading[slug] = loading
            try:
                loading.set_result(await self._load(slug))
            except BaseException as exc:
                loading.set_exception(exc)
                loading.exception()  # retrieved: the waiters below re-raise it
                raise
            finally:
                del self._loading[slug]
        return await asyncio.shield(loading)

    async def _load(self, slug: str) -> Channel | None:
        head = await self.store.blog_by_slug(slug)
        if head is None:
            if len(self._missing) > 10_000:
                self._missing.clear()
            self._missing[slug] = time.monotonic() + MISSING_SLUG_SECONDS
            return None
        recent = await self.store.recent_changes(head.id, self.ring_size)
        ch = Channel(self, head, recent, self.ring_size)
        self.channels[slug] = self.by_id[head.id] = ch
        self._missing.pop(slug, None)
        self.check_soon()  # anything committed between the two queries and our registration
        return ch

    def _forget(self, ch: Channel) -> None:
        self.channels.pop(ch.slug, None)
        self.by_id.pop(ch.blog_id, None)
        ch.close_all(graceful=True)

    # --- input: broker messages and database checks ------------------------------------------------------------

    def on_message(self, message: ChangeMessage) -> None:
        self.metrics.published.inc()
        ch = self.by_id.get(message.blog_id)
        if ch is not None and ch.slug == message.slug:  # unfollowed blogs are loaded from the database when asked for
            ch.offer(Event(message.seq, message.type, message.data), message.published_at)

    def check_soon(self) -> None:
        """Compare every followed blog with the database now (the broker reconnected, or a channel was loaded)."""
        if self._check_now is not None:
            self._check_now.set()

    def fill(self, ch: Channel) -> asyncio.Task[None]:
        """Start reading what the channel missed (once at a time per channel); the task, to await if needed."""
        if ch.fill_task is None:
            ch.fill_task = asyncio.get_running_loop().create_task(self._fill(ch), name="dateline-live-fill")
            self._tasks.add(ch.fill_task)
            ch.fill_task.add_done_callback(self._tasks.discard)
        return ch.fill_task

    async def _fill(self, ch: Channel) -> None:
        """Read what the channel missed from the database, deliver it in order, then what was held meanwhile."""
        self.metrics.gap_fills.inc()
        try:
            for _ in range(10):
                rows = await self.store.changes_after(ch.blog_id, ch.last_seq, CATCH_UP_LIMIT)
                if rows and rows[0].seq > ch.last_seq + 1:
                    ch.jump(rows[0].seq - 1, "changes no longer retained")
                ch.apply_rows(rows)
                # Whatever is still held arrived during the query; it is committed, so the next query has it.
                if len(rows) < CATCH_UP_LIMIT and not ch.pending:
                    break
        except Exception:
            log.exception("could not read missed changes of %s; retrying at the next check", ch.slug)
        finally:
            ch.fill_task = None

    async def refresh(self, ch: Channel) -> None:
        """Bring one channel up to the database now (a client claims a seq we have not delivered yet)."""
        await asyncio.shield(self.fill(ch))

    async def _check_loop(self) -> None:
        assert self._check_now is not None
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._check_now.wait(), CHECK_INTERVAL)
            self._check_now.clear()
            try:
                await self.check()
            except Exception:
                log.exception("live edge database check failed; retrying")

    async def check(self) -> None:
        """One query for the latest seq of every followed blog; fill the ones that are behind."""
        now = time.monotonic()
        for ch in [c for c in self.channels.values() if not c.subscribers and now - c.last_used > IDLE_CHANNEL_SECONDS]:
            self._forget(ch)
        if not self.by_id:
            return
        asked = dict(self.by_id)
        latest = await self.store.latest_seqs(list(asked))
        # Only the channels asked about: one loaded during the query is not in the answer, and is not deleted.
        for blog_id, ch in asked.items():
            if self.by_id.get(blog_id) is not ch:
                continue  # forgotten meanwhile
            seq = latest.get(blog_id)
            if seq is None:
                self._forget(ch)  # the blog was deleted
            elif seq > ch.last_seq:
                self.fill(ch)

    async def _heartbeat_loop(self) -> None:
        while True:
            await asyncio.sleep(HEARTBEAT_INTERVAL)
            for ch in list(self.channels.values()):
                ch.broadcast(HEARTBEAT, heartbeat=True)
