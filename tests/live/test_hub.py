"""The hub delivers each blog's changes in order, once each, filling gaps from the database."""

from __future__ import annotations

import asyncio
import os
import time

import pytest

from dateline.live.channel import Channel
from dateline.live.event import Event
from dateline.live.hub import Hub
from dateline.live.source import BlogHead, ChangeRow
from dateline.live.subscriber import Subscriber


class FakeStore:
    """The Change table of one blog, in memory."""

    def __init__(self, rows: list[ChangeRow]) -> None:
        self.rows = rows
        self.queries = 0

    async def changes_after(self, blog_id: int, after: int, limit: int) -> list[ChangeRow]:
        self.queries += 1
        await asyncio.sleep(0)
        return [r for r in self.rows if r.seq > after][:limit]

    async def recent_changes(self, blog_id: int, count: int) -> list[ChangeRow]:
        return self.rows[-count:]

    async def blog_by_slug(self, slug: str) -> BlogHead | None:
        return BlogHead(1, slug, self.rows[-1].seq if self.rows else 0) if slug == "b" else None

    async def latest_seqs(self, ids):
        return {1: self.rows[-1].seq if self.rows else 0}

    def close(self) -> None:
        pass


def row(seq: int) -> ChangeRow:
    return ChangeRow(seq, "post.published", f'{{"seq":{seq}}}', time.time())


class Collector:
    """A generic-path subscriber's send: records the body bytes it is given."""

    def __init__(self) -> None:
        self.frames: list[bytes] = []

    async def __call__(self, message) -> None:
        if message.get("body"):
            self.frames.append(message["body"])

    def seqs(self) -> list[int]:
        return [int(f.split(b"\n", 1)[0].removeprefix(b"id: ")) for f in self.frames if f.startswith(b"id: ")]


async def _channel(rows: list[ChangeRow], db: list[ChangeRow] | None = None, ring_size: int = 1000):
    store = FakeStore(db if db is not None else rows)
    hub = Hub(store=store, ring_size=ring_size)  # type: ignore[arg-type]
    ch = Channel(hub, BlogHead(1, "b", rows[-1].seq if rows else 0), rows, ring_size)
    hub.channels["b"] = hub.by_id[1] = ch
    collector = Collector()
    sub = Subscriber(collector)
    ch.subscribers.add(sub)
    pump = asyncio.get_running_loop().create_task(sub.pump())
    return hub, ch, collector, sub, pump, store


async def _settle() -> None:
    for _ in range(20):
        await asyncio.sleep(0)


@pytest.mark.parametrize("order", [[4, 5, 6], [4, 4, 5, 4, 6, 5]])
def test_in_order_changes_are_delivered_once_duplicates_ignored(order):
    async def run():
        hub, ch, collector, sub, pump, _ = await _channel([row(i) for i in (1, 2, 3)])
        for seq in order:
            ch.offer(Event(seq, "post.published", f'{{"seq":{seq}}}'))
        await _settle()
        sub.close(graceful=True)
        await pump
        return collector.seqs(), ch.last_seq

    assert asyncio.run(run()) == ([4, 5, 6], 6)


def test_a_gap_is_filled_from_the_database_before_later_changes_go_out():
    """Seq 6 arrives before 4 and 5 (lost by the broker): 4 and 5 are read from the database, then 6 follows."""
    async def run():
        db = [row(i) for i in range(1, 7)]
        hub, ch, collector, sub, pump, store = await _channel(db[:3], db=db)
        ch.offer(Event(6, "post.published", '{"seq":6}'))
        ch.offer(Event(6, "post.published", '{"seq":6}'))
        await asyncio.sleep(0.05)
        ch.offer(Event(4, "post.published", '{"seq":4}'))  # late duplicate of a filled change
        ch.offer(Event(7, "post.published", '{"seq":7}'))
        await _settle()
        sub.close(graceful=True)
        await pump
        return collector.seqs(), store.queries

    seqs, queries = asyncio.run(run())
    assert seqs == [4, 5, 6, 7]
    assert queries == 1


def test_periodic_check_finds_changes_no_broker_announced():
    async def run():
        db = [row(i) for i in range(1, 4)]
        hub, ch, collector, sub, pump, store = await _channel(db[:1], db=db)
        await hub.check()
        await asyncio.sleep(0.05)
        sub.close(graceful=True)
        await pump
        return collector.seqs()

    assert asyncio.run(run()) == [2, 3]


def test_ring_keeps_the_latest_events_and_knows_what_it_can_serve():
    async def run():
        hub, ch, *_ = await _channel([row(i) for i in range(1, 11)], ring_size=4)
        return ch.ring_floor, [e.seq for e in ch.events_after(8)], [e.seq for e in ch.events_after(6)]

    assert asyncio.run(run()) == (6, [9, 10], [7, 8, 9, 10])


def test_a_reader_whose_backlog_passes_the_limit_is_dropped():
    async def run():
        hub, ch, collector, sub, pump, _ = await _channel([row(1)])
        pump.cancel()  # the reader stops reading
        sub.limit = 1000
        big = "x" * 600
        for seq in (2, 3):
            ch.offer(Event(seq, "post.published", f'{{"seq":{seq},"html":"{big}"}}'))
        return sub in ch.subscribers, sub.closed, hub.metrics.dropped.value

    assert asyncio.run(run()) == (False, True, 1)


def test_channels_load_once_for_many_simultaneous_readers():
    async def run():
        store = FakeStore([row(1)])
        hub = Hub(store=store)  # type: ignore[arg-type]
        channels = await asyncio.gather(*(hub.channel("b") for _ in range(50)))
        missing = await hub.channel("nope")
        return len({id(c) for c in channels}), missing

    assert asyncio.run(run()) == (1, None)


def test_a_channel_loaded_while_a_check_is_running_keeps_its_readers():
    """Regression: the check asked about blog 1 only; blog 2 was loaded meanwhile and is absent from the answer —
    that is not a deletion, and its fresh reader must stay connected (it used to be closed at once)."""
    async def run():
        hub, ch, collector, sub, pump, store = await _channel([row(1)])
        gate = asyncio.Event()
        asked: list[list[int]] = []

        async def latest_seqs(ids):
            asked.append(list(ids))
            await gate.wait()
            return {i: 1 for i in ids}

        store.latest_seqs = latest_seqs
        check = asyncio.get_running_loop().create_task(hub.check())
        await _settle()
        other = Channel(hub, BlogHead(2, "other", 0), [], 1000)
        hub.channels["other"] = hub.by_id[2] = other
        newcomer = Subscriber(Collector())
        other.subscribers.add(newcomer)
        gate.set()
        await check
        sub.close(graceful=True)
        await pump
        return asked, "other" in hub.channels, newcomer in other.subscribers, newcomer.closed

    assert asyncio.run(run()) == ([[1]], True, True, False)


def test_a_deleted_blog_is_forgotten_and_its_readers_closed():
    async def run():
        hub, ch, collector, sub, pump, store = await _channel([row(1)])

        async def latest_seqs(ids):
            return {}

        store.latest_seqs = latest_seqs
        await hub.check()
        await pump
        return "b" in hub.channels, sub.closed

    assert asyncio.run(run()) == (False, True)


def test_intervals_from_the_environment_are_validated():
    """DATELINE_LIVE_CHECK_INTERVAL / DATELINE_LIVE_HEARTBEAT_INTERVAL: unset keeps the default; a value must be a
    positive number of seconds within its maximum (heartbeats at most every 25 s, as the contract promises)."""
    from dateline.live.config import CHECK_INTERVAL, HEARTBEAT_INTERVAL, seconds_from_env

    if "DATELINE_LIVE_CHECK_INTERVAL" not in os.environ:
        assert CHECK_INTERVAL == 1.5
    if "DATELINE_LIVE_HEARTBEAT_INTERVAL" not in os.environ:
        assert HEARTBEAT_INTERVAL == 20.0
    assert seconds_from_env("X", None, 20.0, 25.0) == 20.0
    assert seconds_from_env("X", "", 20.0, 25.0) == 20.0
    assert seconds_from_env("X", "0.25", 20.0, 25.0) == 0.25
    assert seconds_from_env("X", "25", 20.0, 25.0) == 25.0
    for bad in ("0", "-1", "26", "nan", "inf", "soon"):
        with pytest.raises(ValueError, match="X must be a number of seconds"):
            seconds_from_env("X", bad, 20.0, 25.0)


def test_a_change_read_from_the_database_counts_in_the_latency_histogram_from_its_row_creation():
    """Changes no broker brought (a gap fill) carry no publish time: their latency is measured from the Change row's
    created_at, so the late tail shows in dateline_live_fanout_seconds instead of being left out."""
    async def run():
        db = [row(1), *(ChangeRow(seq, "post.published", f'{{"seq":{seq}}}', time.time() - 2.0) for seq in (2, 3))]
        hub, ch, collector, sub, pump, store = await _channel(db[:1], db=db)
        ch.offer(Event(4, "post.published", '{"seq":4}'), time.time())  # from the broker: 2 and 3 are missing
        await hub.fill(ch)
        sub.close(graceful=True)
        await pump
        return collector.seqs(), hub.metrics.latency

    seqs, latency = asyncio.run(run())
    assert seqs == [2, 3, 4]
    assert latency.count == 3  # the two filled from the database as well as the one the broker brought
    assert sum(latency.counts[latency.buckets.index(2.5):]) == 2  # 2 s late: in the (1, 2.5] bucket
    assert 4.0 <= latency.sum < 5.0


def test_the_ring_is_bounded_by_bytes_as_well_as_by_count(monkeypatch):
    """Long posts: the ring keeps the newest changes up to RING_BYTES (older resumes are read from the database),
    never fewer than the latest one, and each change's text is held once (the /changes JSON is a view of the
    SSE frame)."""
    monkeypatch.setattr("dateline.live.config.RING_BYTES", 100_000)
    big = [ChangeRow(seq, "post.published", f'{{"seq":{seq},"html":"{"x" * 30_000}"}}', 0.0) for seq in range(1, 21)]

    async def run():
        hub, ch, *_ = await _channel(big[:10])
        kept_at_load = [e.seq for e in ch.ring]
        for r in big[10:]:
            ch.offer(Event(r.seq, r.type, r.data))
        huge = '{"seq":21,"html":"' + "y" * 200_000 + '"}'
        ch.offer(Event(21, "post.published", huge))
        return kept_at_load, [e.seq for e in ch.ring], ch.ring_bytes, ch.ring_floor, ch, huge

    kept_at_load, kept, ring_bytes, floor, ch, huge = asyncio.run(run())
    assert kept_at_load == [8, 9, 10]
    assert kept == [21] and floor == 20  # one change over the budget alone is still kept: the ring reaches last_seq
    assert ring_bytes == len(ch.ring[0].frame)
    assert bytes(ch.ring[0].data) == huge.encode()


def test_an_events_json_is_served_exactly_as_stored():
    """``Event.data`` is the stored JSON byte for byte — a view of the SSE frame, or (for JSON with raw line
    breaks, which the frame splits over several data lines) the text itself."""
    compact = '{"seq":1,"html":"<p>caf\u00e9 \\n</p>"}'
    pretty = '{\n  "seq": 2\n}'
    assert bytes(Event(1, "post.published", compact).data) == compact.encode()
    assert Event(1, "post.published", compact).frame.endswith(b"data: " + compact.encode() + b"\n\n")
    assert bytes(Event(2, "post.updated", pretty).data) == pretty.encode()


def test_closing_a_channel_survives_readers_that_detach_as_they_close():
    """A reader's stream ending removes it from the set it joined — the very set close_all walks. Walking the set
    itself raised "Set changed size during iteration" at shutdown; every reader must still be closed."""
    from dateline.live.channel import Channel
    from dateline.live.source import BlogHead

    class Detaching:
        def __init__(self) -> None:
            self.readers: set | None = None
            self.closed = False

        def close(self, *, graceful: bool) -> None:
            self.closed = True
            if self.readers is not None:
                self.readers.discard(self)  # what Subscriber.detach does when its stream ends

    ch = Channel(None, BlogHead(id=1, slug="s", seq=0), [], 10)  # type: ignore[arg-type]
    readers = [Detaching() for _ in range(50)]
    for reader in readers:
        reader.readers = ch.subscribers
        ch.subscribers.add(reader)  # type: ignore[arg-type]
    ch.close_all(graceful=True)
    assert all(reader.closed for reader in readers) and not ch.subscribers


def test_a_gap_fill_sends_the_databases_compacted_row_not_a_stale_copy_the_broker_brought():
    """Seq 2 arrives before 1 (two writers' publishes crossed), so 1 is held while the gap is read; meanwhile seq 3
    deleted the post 1 published, and the database row of 1 is a tombstone. Readers get the row, never the held
    copy with the deleted text (issue 11: 1 — on main before this fix the live stream carried it)."""
    import json

    from dateline.events import encode

    published = {"seq": 1, "type": "post.published", "html": "<article>Libel</article>",
                 "post": {"id": 7, "headline": "Libel", "status": "published"}, "post_count": 1}
    tombstone = {"seq": 1, "type": "post.deleted", "html": "", "post": {"id": 7, "status": "deleted"},
                 "post_count": 1}
    other = {"seq": 2, "type": "post.published", "html": "<article>Q</article>",
             "post": {"id": 8, "headline": "Q", "status": "published"}, "post_count": 2}
    deletion = {**tombstone, "seq": 3, "post_count": 1}

    def as_row(data):
        return ChangeRow(data["seq"], data["type"], encode(data), time.time())

    async def run():
        db = [as_row(tombstone), as_row(other), as_row(deletion)]
        hub, ch, collector, sub, pump, store = await _channel([], db=db)
        ch.offer(Event(2, "post.published", encode(other)))  # a gap: the fill starts
        ch.offer(Event(1, "post.published", encode(published)))  # held while the fill runs
        await asyncio.sleep(0.05)
        sub.close(graceful=True)
        await pump
        return collector, ch

    collector, ch = asyncio.run(run())
    assert collector.seqs() == [1, 2, 3]
    assert not any(b"Libel" in frame for frame in collector.frames)
    assert [json.loads(bytes(e.data))["type"] for e in ch.ring] == ["post.deleted", "post.published", "post.deleted"]
