"""/changes keeps its built answers within a byte budget, whatever ``after`` values it is asked for."""

from __future__ import annotations

import asyncio
import json

from dateline.live.changes import changes_endpoint
from dateline.live.channel import Channel
from dateline.live.config import ANSWER_CACHE_BYTES, ANSWER_MAX_BYTES
from dateline.live.hub import Hub
from dateline.live.lru import ByteLRU
from dateline.live.source import BlogHead, ChangeRow

from .test_hub import FakeStore


async def _get(hub: Hub, after: int) -> bytes:
    sent: list[dict] = []

    async def send(message: dict) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "GET", "query_string": b"after=%d" % after, "headers": []}
    await changes_endpoint(hub, "b", scope, send)
    assert sent[0]["status"] == 200
    return sent[1]["body"]


def test_cached_answers_stay_within_the_byte_budget_however_many_afters_are_asked_for():
    """The reviewer's attack, scaled: a blog of long posts and 40 anonymous GETs for after=<many values>, each
    answer megabytes. The answers kept stay within ANSWER_CACHE_BYTES (they used to be kept 64 at a time, whatever
    their size: 92 → 489 MB), answers over ANSWER_MAX_BYTES are not kept at all, and the busy after=<latest>
    answer is still served from the cache."""
    html = "x" * 20_000
    rows = [ChangeRow(seq, "post.published", f'{{"seq":{seq},"html":"{html}"}}', 0.0) for seq in range(1, 201)]

    async def run():
        hub = Hub(store=FakeStore(rows))  # type: ignore[arg-type]
        ch = Channel(hub, BlogHead(1, "b", 200), rows, 1000)
        hub.channels["b"] = hub.by_id[1] = ch
        hot = await _get(hub, 200)
        produced, kept_max = 0, 0
        for after in range(100, 140):  # answers of 1.2–2 MB: each may be kept, not all of them
            body = await _get(hub, after)
            assert [c["seq"] for c in json.loads(body)["changes"]] == list(range(after + 1, 201))
            produced += len(body)
            kept_max = max(kept_max, hub.answers.bytes)
            assert hub.answers.bytes <= ANSWER_CACHE_BYTES
            assert await _get(hub, 200) is hot  # up-to-date readers keep polling: their answer stays in
        huge = await _get(hub, 0)  # the whole blog: over ANSWER_MAX_BYTES, built for this request only
        return produced, kept_max, len(huge), hub.answers

    produced, kept_max, huge, answers = asyncio.run(run())
    assert produced > 3 * ANSWER_CACHE_BYTES and kept_max > ANSWER_CACHE_BYTES // 2
    assert huge > ANSWER_MAX_BYTES and answers.get((1, 0, 200)) is None


def test_byte_lru_drops_the_least_recently_used_first():
    cache: ByteLRU[str, str] = ByteLRU(max_bytes=100, max_item_bytes=60)
    cache.put("a", "A", 40)
    cache.put("b", "B", 40)
    assert cache.get("a") == "A"  # a is now the most recently used
    cache.put("c", "C", 40)
    assert (cache.get("a"), cache.get("b"), cache.get("c"), cache.bytes) == ("A", None, "C", 80)
    cache.put("d", "D", 61)  # over max_item_bytes: not kept, nothing pushed out
    assert (cache.get("d"), len(cache), cache.bytes) == (None, 2, 80)
    cache.put("a", "A2", 50)  # replacing an entry counts its new size only
    assert (cache.get("a"), cache.bytes) == ("A2", 90)
