"""/metrics adds up the workers of one server: their snapshots through Redis, this worker's own taken fresh."""

from __future__ import annotations

import asyncio
import time
import uuid

import pytest

from dateline.live.metrics import LiveMetrics
from dateline.live.shared_metrics import TIMEOUT, SharedMetrics

from .test_processes import REDIS, _free_port, _redis_or_skip


def _values(text: bytes) -> dict[str, float]:
    samples = (line.split(" ") for line in text.decode().splitlines() if line and not line.startswith("#"))
    return {name: float(value) for name, value in samples}


def _worker(readers: int, published: int, latencies: list[float]) -> LiveMetrics:
    metrics = LiveMetrics(lambda: readers)
    metrics.published.inc(published)
    for seconds in latencies:
        metrics.latency.observe(seconds)
    return metrics


def test_a_scrape_adds_the_siblings_snapshots_to_its_own_numbers():
    """Gauges, counters and every histogram bucket add up; a malformed or foreign-version sample counts as nothing."""
    mine = _worker(readers=5, published=7, latencies=[0.002, 0.3])
    sibling = _worker(readers=6, published=7, latencies=[0.002, 3.0]).snapshot()
    odd = {"dateline_live_readers": "many", "dateline_live_fanout_seconds": [1, 2, 0.5]}  # other buckets: ignored
    values = _values(mine.render([sibling, odd]))
    assert values["dateline_live_readers"] == 11
    assert values["dateline_live_changes_published_total"] == 14
    assert values['dateline_live_fanout_seconds_bucket{le="0.0025"}'] == 2
    assert values['dateline_live_fanout_seconds_bucket{le="0.5"}'] == 3
    assert values['dateline_live_fanout_seconds_bucket{le="+Inf"}'] == values["dateline_live_fanout_seconds_count"] == 4
    assert values["dateline_live_fanout_seconds_sum"] == pytest.approx(3.304)
    assert values["dateline_live_workers"] == 3
    assert _values(mine.render())["dateline_live_readers"] == 5  # alone: its own numbers


@pytest.mark.redis
def test_workers_of_one_server_see_each_others_snapshots_and_not_another_servers():
    _redis_or_skip()

    async def run():
        group = uuid.uuid4().hex
        a, b = _worker(2, 3, [0.01]), _worker(4, 5, [0.02])
        other = SharedMetrics(REDIS, uuid.uuid4().hex, _worker(100, 100, []))  # another server on the same Redis
        shared = [SharedMetrics(REDIS, group, m) for m in (a, b)]
        for s in (*shared, other):
            await s.publish()
        seen = [await s.siblings() for s in shared]
        await shared[1].stop()  # a worker that stops leaves the sums at once
        after_stop = await shared[0].siblings()
        for s in (shared[0], other):
            await s.stop()
        return seen, a.render(seen[0]), after_stop, b

    seen, text, after_stop, b = asyncio.run(run())
    assert seen[0] == [b.snapshot()] and len(seen[1]) == 1
    values = _values(text)
    assert (values["dateline_live_readers"], values["dateline_live_changes_published_total"]) == (6, 8)
    assert values["dateline_live_workers"] == 2
    assert after_stop == []


def test_with_redis_down_a_scrape_answers_at_once_with_its_own_numbers():
    async def run():
        with_nobody_listening = f"redis://127.0.0.1:{_free_port()}/0"
        shared = SharedMetrics(with_nobody_listening, "group", _worker(3, 1, []))
        shared.start()  # the publisher keeps trying and does not disturb anything
        started = time.monotonic()
        siblings = await shared.siblings()
        elapsed = time.monotonic() - started
        await shared.stop()
        return siblings, elapsed, shared.metrics.render(siblings)

    siblings, elapsed, text = asyncio.run(run())
    assert siblings == [] and elapsed < TIMEOUT + 0.5
    assert (_values(text)["dateline_live_readers"], _values(text)["dateline_live_workers"]) == (3, 1)
