"""The hub: per-blog channels holding a ring of recent changes and the readers following them.

Delivery is ordered, gap-free and duplicate-free per blog. A channel knows the last ``seq`` it delivered:

* a change with ``seq <= last`` is a duplicate (a broker redelivery, or a change already read from the database)
  and is ignored;
* ``seq == last + 1`` is delivered at once: encoded once, appended to the ring, written to every reader;
* ``seq > last + 1`` means something was missed (Redis dropped it, or two processes' publishes crossed): the
  change waits while the missing ones are read from the ``Change`` table in a worker thread, then all go out in order.

Changes written where no broker reaches us (``dateline demo`` run beside a server on SQLite, or during a Redis
outage) are found by a periodic check: one query for the latest seq of every followed blog, every
``CHECK_INTERVAL`` seconds, and at once when the broker (re)connects.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
from collections import deque
from collections.abc import Coroutine, Iterator
from typing import Any

from dateline.broker import Broker
from dateline.broker.messages import ChangeMessage
from dateline.live.lru import ByteLRU
from dateline.live.metrics import LiveMetrics
from dateline.live.store import BlogHead, ChangeRow, Store
from dateline.live.subscriber import Subscriber, chunk
from dateline.live.wire import HEARTBEAT, encode_event, encode_reset

log = logging.getLogger(__name__)



def seconds_from_env(name: str, value: str | None, default: float, maximum: float) -> float:
    """An interval from the environment: unset or empty is ``default``; anything else must be in (0, maximum]."""
    if not value:
        return default
    try:
        seconds = float(value)
    except ValueError:
        seconds = float("nan")
    if not 0 < seconds <= maximum:  # also refuses NaN
        raise ValueError(f"{name} must be a number of seconds, more than 0 and at most {maximum:g}; got {value!r}")
    return seconds


RING_SIZE = 1000  # recent events kept in memory per blog; older resumes are read from the database
# ... and at most this many bytes of them: 1,000 changes of 8 KB, or ~150 of the 55 KB a long post with its fragment
# makes. A blog of long posts then serves fewer resumes from memory (the rest from the database) rather than
# holding 55 MB per followed blog.
RING_BYTES = 8 << 20
# /changes answers kept (changes.py), for every blog together; one answer over ANSWER_MAX_BYTES is built per request
# (a reader that far behind is rare, and a CDN keeps the answer anyway).
ANSWER_CACHE_BYTES = 16 << 20
ANSWER_MAX_BYTES = 2 << 20
CATCH_UP_LIMIT = 5000  # a reader further behind than this is told to reload: replaying would cost more
# Seconds between database checks for changes no broker told us about. Configurable so that tests can prove what
# the broker delivers on its own (a long interval), not to be tuned in production.
CHECK_INTERVAL = seconds_from_env("DATELINE_LIVE_CHECK_INTERVAL", os.environ.get("DATELINE_LIVE_CHECK_INTERVAL"),
                                  1.5, 3600.0)
# Every 20 s: proxies and load balancers close idle connections after 30 s (some corporate proxies), 55–60 s
# (Heroku's router, AWS ALB, nginx's proxy_read_timeout), so a comment every 20 s keeps even the strictest open
# with margin, and lets the server notice dead connections. The contract says at most every 25 s, hence the maximum.
HEARTBEAT_INTERVAL = seconds_from_env("DATELINE_LIVE_HEARTBEAT_INTERVAL",
                                      os.environ.get("DATELINE_LIVE_HEARTBEAT_INTERVAL"), 20.0, 25.0)
IDLE_CHANNEL_SECONDS = 600.0  # forget a blog with no readers and no requests for this long
MISSING_SLUG_SECONDS = 5.0  # remember briefly that a slug does not exist, so 404 floods do not reach the database


class Event:
    """One change, as the edge keeps it: its SSE frame, encoded once.

    The JSON that /changes serves is the frame's ``data:`` line, so it is read from the frame (``data``) rather
    than kept a second time: a change's text is most of its size, and the ring holds a thousand of them per blog.
    """

    __slots__ = ("frame", "seq", "_data")

    def __init__(self, seq: int, type_: str, data: str) -> None:
        self.seq = seq
        self.frame = encode_event(seq, type_, data)
        # JSON with a raw line break (none of ours: actions write compact JSON) is split over several data lines
        # in the frame: only then is the text kept as it is.
        self._data = data.encode() if "\n" in data or "\r" in data else None

    @property
    def data(self) -> bytes | memoryview:
        """The change's JSON: a view of the frame between ``data: `` and the final blank line, not a copy."""
        if self._data is not None:
            return self._data
        return memoryview(self.frame)[self.frame.index(b"\ndata: ") + 7:-2]


class Channel:
    def __init__(self, hub: Hub, head: BlogHead, recent: list[ChangeRow], ring_size: int) -> None:
        self.hub = hub
        self.blog_id, self.slug = head.id, head.slug
        self.ring: deque[Event] = deque()
        self.ring_size, self.ring_bytes = ring_size, 0
        for r in recent:
            self._remember(Event(r.seq, r.type, r.data))
        self.last_seq = self.ring[-1].seq if self.ring else head.seq
        self.subscribers: set[Subscriber] = set()
        self.pending: dict[int, tuple[Event, float]] = {}
        self.fill_task: asyncio.Task[None] | None = None
        self.last_used = time.monotonic()

    def _remember(self, event: Event) -> None:
        """Append to the ring, then drop its oldest events past ``ring_size`` events or ``RING_BYTES`` (never the
        newest: the ring must reach ``last_seq`` for a reader to join without a gap)."""
        self.ring.append(event)
        self.ring_bytes += len(event.frame)
        while len(self.ring) > self.ring_size or (self.ring_bytes > RING_BYTES and len(self.ring) > 1):
            self.ring_bytes -= len(self.ring.popleft().frame)

    @property
    def ring_floor(self) -> int:
        """The smallest ``after`` the ring can serve: every change after it is in memory."""
        return self.ring[0].seq - 1 if self.ring else self.last_seq

    def events_after(self, after: int) -> Iterator[Event]:
        """Events with seq > after, from the ring (the caller checked ``after >= ring_floor``)."""
        if not self.ring or after >= self.last_seq:
            return iter(())
        start = after - self.ring[0].seq + 1  # seqs in the ring are consecutive
        return (self.ring[i] for i in range(max(start, 0), len(self.ring)))

    # --- ordered delivery --------------------------------------------------------------------------------------

    def offer(self, event: Event, published_at: float = 0.0) -> None:
        """A change from the broker: deliver it, ignore it as a duplicate, or hold it while a gap is filled."""
        if event.seq <= self.last_seq:
            return
        if self.fill_task is not None or event.seq != self.last_seq + 1:
            self.pending[event.seq] = (event, published_at)
            self.hub.fill(self)
            return
        self._deliver(event, published_at)
        self.deliver_pending()

    def deliver_pending(self) -> None:
        while self.pending:
            item = self.pending.pop(self.last_seq + 1, None)
            if item is None:
                break
            self._deliver(*item)
        for seq in [s for s in self.pending if s <= self.last_seq]:
            del self.pending[seq]

    def _deliver(self, event: Event, published_at: float) -> None:
        self._remember(event)
        self.last_seq = event.seq
        started = time.perf_counter()
        self.broadcast(event.frame)
        metrics = self.hub.metrics  # observed once per change, never per reader
        metrics.broadcast.observe(time.perf_counter() - started)
        metrics.changes.inc()
        if published_at:
            metrics.latency.observe(max(time.time() - published_at, 0.0))

    def apply_rows(self, rows: list[ChangeRow]) -> bool:
        """Deliver rows read from the database; False when they do not continue from ``last_seq`` (pruned)."""
        for row in rows:
            if row.seq <= self.last_seq:
                continue
            if row.seq != self.last_seq + 1:
                return False
            held = self.pending.pop(row.seq, None)
            event, published_at = held if held else (Event(row.seq, row.type, row.data), 0.0)
            # A change the broker never brought counts from its row's creation (in its transaction, just before
            # commit): how late a gap fill or the database check delivered it is the tail /metrics must show.
            self._deliver(event, published_at or row.created_at)
        self.deliver_pending()
        return True

    def jump(self, latest: int, reason: str) -> None:
        """The changes up to ``latest`` are gone: tell every reader to reload, and continue from there."""
        self.ring.clear()
        self.ring_bytes = 0
        self.pending = {s: e for s, e in self.pending.items() if s > latest}
        self.last_seq = latest
        self.broadcast(encode_reset(latest, reason))

    # --- fan-out -----------------------------------------------------------------------------------------------

    def broadcast(self, frame: bytes, *, heartbeat: bool = False) -> None:
        """Write one frame to every reader: the hot loop. Per reader, on ``dateline serve``, what a bare asyncio
        broadcast loop does — a flag check and ``transport.write`` of the one chunk framed here (see subscriber.py)."""
        framed = chunk(frame)  # the complete HTTP chunk, built once for every direct reader
        message = None  # the ASGI message for driven readers, built once if there are any
        dropped: list[Subscriber] = []
        for sub in self.subscribers:
            if sub.backlog is None:
                cycle = sub.cycle
                if cycle is not None:  # direct
                    if cycle.disconnected:
                        pass  # gone: its request task is waking up to remove it
                    elif cycle.flow.write_paused:
                        if not sub.enqueue(frame):  # a slow reader: its own task writes with flow control
                            dropped.append(sub)
                    else:
                        sub.transport.write(framed)
                    continue
                if message is None:
                    message = {"type": "http.response.body", "body": frame, "more_body": True}  # uvicorn only reads it
                coro = sub.send(message)
                try:
                    coro.send(None)  # type: ignore[attr-defined]
                except StopIteration:
                    continue  # written
                except Exception:
                    log.debug("send failed; dropping reader", exc_info=True)
                    dropped.append(sub)
                    continue
                coro.close()  # type: ignore[attr-defined]  # suspended in flow.drain() before writing: a slow reader
                if not sub.enqueue(frame):
                    dropped.append(sub)
            elif heartbeat:
                if not sub.backlog and not sub.fast:
                    sub.enqueue(frame)  # an idle generic reader needs its heartbeat; a busy one is not idle
            elif not sub.enqueue(frame):
                dropped.append(sub)
        for sub in dropped:
            self.subscribers.discard(sub)
            sub.close(graceful=False)
            self.hub.metrics.dropped.inc()

    def close_all(self, *, graceful: bool) -> None:
        subscribers, self.subscribers = self.subscribers, set()
        for sub in subscribers:
            sub.close(graceful=graceful)


class Hub:
    def __init__(self, store: Store | None = None, ring_size: int = RING_SIZE) -> None:
        self.store = store or Store()
        self.ring_size = ring_size
        self.channels: dict[str, Channel] = {}
        self.by_id: dict[int, Channel] = {}
        self.metrics = LiveMetrics(self.reader_count)
        # /changes answers by (blog id, after, latest): immutable, so never invalidated, only pushed out
        self.answers: ByteLRU[tuple[int, int, int], Any] = ByteLRU(ANSWER_CACHE_BYTES, ANSWER_MAX_BYTES)
        self._loading: dict[str, asyncio.Future[Channel | None]] = {}
        self._missing: dict[str, float] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._check_now: asyncio.Event | None = None
        self._broker: Broker | None = None
        self.closing = False

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
