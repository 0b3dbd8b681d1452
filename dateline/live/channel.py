"""A channel: one followed blog's ring of recent events and its readers, with ordered delivery.

Delivery is ordered, gap-free and duplicate-free per blog. A channel knows the last ``seq`` it delivered:

* a change with ``seq <= last`` is a duplicate (a broker redelivery, or a change already read from the database)
  and is ignored;
* ``seq == last + 1`` is delivered at once: encoded once, appended to the ring, written to every reader;
* ``seq > last + 1`` means something was missed (Redis dropped it, or two processes' publishes crossed): the
  change waits while its owner (the hub) reads the missing ones from the ``Change`` table in a worker thread, then
  all go out in order.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Iterator
from typing import Protocol

from dateline.events import compacted, encode, rewritten_subjects
from dateline.live import config
from dateline.live.event import Event
from dateline.live.fanout import broadcast
from dateline.live.metrics import LiveMetrics
from dateline.live.source import BlogHead, ChangeRow
from dateline.live.subscriber import Subscriber
from dateline.live.wire import encode_reset


class Owner(Protocol):
    """What a channel needs from the hub that holds it."""

    @property
    def metrics(self) -> LiveMetrics: ...

    def fill(self, ch: Channel) -> object:
        """Start reading what the channel missed from the database (once at a time per channel)."""

    def forget_answers(self, blog_id: int) -> None:
        """Drop the blog's cached ``/changes`` answers (a change rewrote older ones)."""


class Channel:
    def __init__(self, hub: Owner, head: BlogHead, recent: list[ChangeRow], ring_size: int) -> None:
        self.hub = hub
        self.blog_id, self.slug = head.id, head.slug
        self.ring: deque[Event] = deque()
        self.ring_size, self.ring_bytes = ring_size, 0
        for r in recent:
            self._remember(Event(r.seq, r.type, r.data, r.subject))
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
        ring_bytes = config.RING_BYTES
        while len(self.ring) > self.ring_size or (self.ring_bytes > ring_bytes and len(self.ring) > 1):
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

    def _compact(self, event: Event) -> None:
        """Rewrite the ring's older events that ``event`` supersedes, as the database did in the same transaction
        (``dateline.events.compacted``): a resume from this process's memory says no more than the page."""
        newer = event.parsed()
        event.learn_subject(newer)
        subjects = rewritten_subjects(newer)
        if not subjects:
            return
        rewritten = False
        for i, old in enumerate(self.ring):
            if old.subject in subjects and (data := compacted(old.parsed(), newer)) is not None:
                replacement = Event(old.seq, data["type"], encode(data))
                self.ring_bytes += len(replacement.frame) - len(old.frame)
                self.ring[i] = replacement
                rewritten = True
        if rewritten:
            self.hub.forget_answers(self.blog_id)  # cached /changes bodies may hold the old text

    def _deliver(self, event: Event, published_at: float) -> None:
        self._compact(event)
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
            # The row, not a copy the broker brought and that waited for the gap: a later change may have compacted
            # it in the database (a deletion), and the held copy would carry the text readers must not get.
            event = Event(row.seq, row.type, row.data, row.subject)
            published_at = held[1] if held else 0.0
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
        """Write one frame to every reader (the loop is ``fanout.broadcast``); count the readers it dropped."""
        dropped = broadcast(self.subscribers, frame, heartbeat=heartbeat)
        if dropped:
            self.hub.metrics.dropped.inc(dropped)

    def close_all(self, *, graceful: bool) -> None:
        subscribers, self.subscribers = self.subscribers, set()
        # A copy: a reader whose stream ends detaches itself from the set it joined (this one), which would change
        # the set under the loop ("Set changed size during iteration", seen when streams end during shutdown).
        for sub in list(subscribers):
            sub.close(graceful=graceful)
