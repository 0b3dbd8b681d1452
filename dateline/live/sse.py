"""``GET /live/<slug>/events``: the Server-Sent Events stream of one blog.

Resume point: the ``Last-Event-ID`` header (sent by EventSource when it reconnects) or else ``?after=<seq>`` (the
seq the page was rendered at); with neither, the stream starts from now. Missed changes come from the ring, or from
the ``Change`` table (in a worker thread) when they are older. When they cannot be served — older than retained,
more than ``CATCH_UP_LIMIT`` changes or ``CATCH_UP_BYTES`` behind, or a seq the blog never reached — the stream
sends a ``reset`` event and the client reloads the page.

Through a GRIP proxy (``grip.py``) the same answer is written, and the proxy, not this process, holds the stream.
"""

from __future__ import annotations

import random

from dateline.live import grip
from dateline.live.channel import Channel
from dateline.live.hub import Hub
from dateline.live.replay import replay
from dateline.live.responses import NOSNIFF, header, json_error, parse_seq, query_param
from dateline.live.subscriber import Subscriber
from dateline.live.types import Scope, Send
from dateline.live.wire import encode_reset, encode_retry

# Reconnection delay hint, in milliseconds. Spread over a range so that when a server restarts, its readers do not
# all reconnect in the same instant (a thundering herd of 10,000 resumes).
RETRY_MIN_MS = 2_000
# Most a resume replays, in bytes of frames (ring and database together); a reader further behind reloads instead.
# ~600 changes of long posts: a reader away that long gets the page faster than the replay.
CATCH_UP_BYTES = 2 << 20
RETRY_MAX_MS = 6_000

STREAM_HEADERS = [
    (b"content-type", b"text/event-stream; charset=utf-8"),
    (b"cache-control", b"no-cache, no-transform"),  # no-transform: proxies must not compress or buffer events
    (b"x-accel-buffering", b"no"),  # nginx: pass events through as they are written
    NOSNIFF,
]


async def events_endpoint(hub: Hub, slug: str, scope: Scope, send: Send) -> Subscriber | None:
    """Answer the request; for a stream, start it and return the reader, now following the channel.

    The caller (``LiveEdge.__call__``) then waits for the end of the stream in its own frame (see
    ``Subscriber.waiter``): this coroutine's frame, with its locals, is gone while the reader stays connected.
    """
    if scope["method"] != "GET":
        await json_error(send, 405, "method_not_allowed", "Use GET.", [(b"allow", b"GET")])
        return None
    try:
        after = parse_seq(header(scope, b"last-event-id"))
        if after is None:
            after = parse_seq(query_param(scope, "after"))
    except ValueError:
        await json_error(send, 400, "bad_after", "Last-Event-ID and after must be a non-negative integer seq.")
        return None
    ch = await hub.channel(slug)
    if ch is None:
        await json_error(send, 404, "not_found", f"No live blog '{slug}'.")
        return None
    held = grip.signed(scope)
    if held:
        # A recovery request names the last change the proxy wrote to this reader; it outranks the reader's own
        # Last-Event-ID, which the proxy forwards as it was when the reader connected.
        recovering = grip.last_id(scope, ch.blog_id)
        if recovering is not None:
            after = recovering
    elif hub.closing:
        await json_error(send, 503, "shutting_down", "This server is restarting; reconnect in a moment.",
                         [(b"retry-after", b"2")])
        return None
    else:
        await send({"type": "http.response.start", "status": 200, "headers": STREAM_HEADERS})
    retry = encode_retry(random.randint(RETRY_MIN_MS, RETRY_MAX_MS))  # noqa: S311 (jitter, not security)
    frames = [retry]
    if after is None:
        after = ch.last_seq
    elif after > ch.last_seq:
        await hub.refresh(ch)  # the page may have been rendered from a commit this process has not heard of yet
    replayed = await replay(hub.store, ch, after)
    if replayed.reset is not None:
        frames.append(encode_reset(replayed.seq, replayed.reset))
    else:
        frames.extend(event.frame for event in replayed.events)
    if held:
        # The proxy holds the reader from the seq this answer ends at; nothing is kept here.
        headers = [*STREAM_HEADERS, *grip.hold_headers(slug, ch.blog_id, replayed.seq)]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b"".join(_bounded(frames, replayed.seq))})
        return None
    if hub.closing:
        # The server began shutting down during one of the awaits above, after close_streams() ended the streams
        # it knew of: a stream joining now would be held open until the graceful timeout (3 s). End it at once,
        # with the retry hint: the client resumes elsewhere from the point it asked for.
        await send({"type": "http.response.body", "body": retry, "more_body": False})
        return None
    return _follow(ch, frames, send)


def _bounded(frames: list[bytes], latest: int) -> list[bytes]:
    """The catch-up as written, unless it is more than ``CATCH_UP_BYTES``: then the retry hint and a ``reset``.

    Held for a reader who may not be reading at all: past this, reloading the page is the cheaper catch-up for
    everyone, and a few such streams cannot pin hundreds of MB (the retry hint stays first)."""
    if sum(map(len, frames)) > CATCH_UP_BYTES:
        return [frames[0], encode_reset(latest, "too far behind to replay")]
    return frames


def _follow(ch: Channel, frames: list[bytes], send: Send) -> Subscriber:
    # No await since the replay: its ring tail and the live stream meet without a gap.
    sub = Subscriber(send)
    sub.catch_up(_bounded(frames, ch.last_seq))
    sub.follow(ch.subscribers)
    return sub
