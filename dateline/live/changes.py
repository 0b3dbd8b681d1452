"""``GET /live/<slug>/changes?after=<seq>``: the changes after a seq, as JSON, built for shared caches.

    {"seq": <latest>, "changes": [<event data>, ...]}             # ordered by seq
    {"seq": <latest>, "changes": [], "reset": true}                # no longer retained: reload the page
    {"seq": <last given>, "changes": [...], "more": true}          # over CATCH_UP_LIMIT behind: a page; ask again

Every up-to-date reader asks for the same URL (``after=<latest>``), so one cached object serves them all. The
answer for (``after``, ``latest``) never changes — changes are immutable — so the ETag is just those two numbers
(and the blog), and a revalidation is a 304 without building a body. ``max-age`` is short because a new change
makes the same URL's answer grow; ``stale-while-revalidate`` lets a CDN answer at once while it refreshes.
"""

from __future__ import annotations

import time

from dateline.live.channel import Channel
from dateline.live.hub import Hub
from dateline.live.replay import replay
from dateline.live.responses import NOSNIFF, json_error, parse_seq, query_param
from dateline.live.types import Scope, Send

CACHE_CONTROL = b"public, max-age=2, stale-while-revalidate=30"
# Part of every ETag. Bumped when the answer for one (after, latest) changes without a new seq — an upgrade that
# rewrites the retained log: 2 is compaction (migration 0010). A CDN's copy from before must not revalidate as 304.
ETAG_VERSION = 2
# What an answer costs in memory besides its body: the key, the tuple, the ETag and the headers list.
ANSWER_OVERHEAD_BYTES = 1024


async def changes_endpoint(hub: Hub, slug: str, scope: Scope, send: Send) -> None:
    method = scope["method"]
    if method not in ("GET", "HEAD"):
        await json_error(send, 405, "method_not_allowed", "Use GET.", [(b"allow", b"GET, HEAD")])
        return
    after = _after(scope)
    if after < 0:
        await json_error(send, 400, "bad_after", "Pass ?after=<seq>, a non-negative integer (0 for everything).")
        return
    ch = hub.channels.get(slug)  # the hot path: a followed blog, no await
    if ch is not None:
        ch.last_used = time.monotonic()
    else:
        ch = await hub.channel(slug)
        if ch is None:
            await json_error(send, 404, "not_found", f"No live blog '{slug}'.")
            return
    if after > ch.last_seq:
        await hub.refresh(ch)  # a page rendered from a commit this process has not heard of yet
    latest = ch.last_seq
    # The whole answer for (after, latest) — body, ETag, headers — is built once and kept (within a byte budget,
    # least recently used out): every up-to-date reader asks for the same after=<latest>.
    answer = hub.answers.get((ch.blog_id, after, latest))
    if answer is None:
        answer = await _build(hub, ch, after, latest)
    body, etag, headers = answer
    for key, value in scope["headers"]:
        if key == b"if-none-match":
            if _matches(value, etag):
                await send({"type": "http.response.start", "status": 304, "headers": headers[1:-1]})
                await send({"type": "http.response.body", "body": b""})
                return
            break
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": b"" if method == "HEAD" else body})


def _after(scope: Scope) -> int:
    """``?after=`` as a seq; -1 when missing or malformed. ``after=<digits>`` alone is parsed without parse_qsl."""
    query = scope.get("query_string", b"")
    if query.startswith(b"after=") and query[6:].isdigit() and len(query) <= 24:
        return int(query[6:])
    try:
        after = parse_seq(query_param(scope, "after"))
    except ValueError:
        return -1
    return -1 if after is None else after


Answer = tuple[bytes, bytes, list[tuple[bytes, bytes]]]


async def _build(hub: Hub, ch: Channel, after: int, latest: int) -> Answer:
    replayed = await replay(hub.store, ch, after, latest)
    if replayed.reset is not None:
        body = _reset(latest)  # ahead of the blog, or no longer retained
    else:
        body = _encode(replayed.seq, [event.data for event in replayed.events], more=replayed.more)
    etag = b'W/"c%d-%d-%d-%d"' % (ETAG_VERSION, ch.blog_id, after, latest)
    # content-type first and content-length last: a 304 sends headers[1:-1].
    headers = [(b"content-type", b"application/json"), (b"cache-control", CACHE_CONTROL), (b"etag", etag),
               (b"access-control-allow-origin", b"*"), NOSNIFF, *purge_tags(ch.slug),
               (b"content-length", b"%d" % len(body))]
    answer = (body, etag, headers)
    if latest == ch.last_seq:  # else a newer change arrived while we read: nobody will ask for this one again
        hub.answers.put((ch.blog_id, after, latest), answer, len(body) + ANSWER_OVERHEAD_BYTES)
    return answer


def purge_tags(slug: str) -> list[tuple[bytes, bytes]]:
    """Name the blog for a CDN's purge by tag (Fastly ``Surrogate-Key``, Cloudflare/Akamai ``Cache-Tag``): after a
    legal takedown one purge of ``dateline-blog-<slug>`` drops every cached answer of the blog (docs/live.md)."""
    tag = b"dateline-blog-" + slug.encode()
    return [(b"surrogate-key", tag), (b"cache-tag", tag)]


def _encode(seq: int, datas: list[bytes | memoryview], *, more: bool = False) -> bytes:
    return b'{"seq":%d,"changes":[%s]%s}' % (seq, b",".join(datas), b',"more":true' if more else b"")


def _reset(latest: int) -> bytes:
    return b'{"seq":%d,"changes":[],"reset":true}' % latest


def _matches(if_none_match: bytes, etag: bytes) -> bool:
    candidates = {tag.strip() for tag in bytes(if_none_match).split(b",")}
    return b"*" in candidates or etag in candidates or etag.removeprefix(b"W/") in candidates
