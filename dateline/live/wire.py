"""The Server-Sent Events wire format: every event is encoded once, as bytes, and the same bytes go to every reader.

    id: <seq>
    event: <type>
    data: <json>
    <blank line>

``data`` is the change's JSON exactly as the action serialised it (``Change.data``), so the SSE stream, the
``/changes`` catch-up answer and the database all carry byte-identical event objects.
"""

from __future__ import annotations

import json

from dateline.broker.messages import sse_frame
from dateline.events import Reset

# A comment line: EventSource ignores it, but it keeps proxies and NAT tables from timing the connection out.
HEARTBEAT = b": keep-alive\n\n"


def encode_event(seq: int, type_: str, data: str) -> bytes:
    """One SSE event: ``broker.messages.sse_frame``, which the GRIP publisher sends to Pushpin too."""
    return sse_frame(seq, type_, data)


def encode_retry(milliseconds: int) -> bytes:
    """The reconnection delay hint; EventSource waits this long before reconnecting after the stream ends."""
    return b"retry: %d\n\n" % milliseconds


def reset_data(latest: int, reason: str) -> str:
    return json.dumps(Reset(reason).wire(latest), separators=(",", ":"))


def encode_reset(latest: int, reason: str) -> bytes:
    """Tell the client its state cannot be brought up to date by changes: reload the page.

    The event carries ``id: <latest>`` so that a client which reconnects instead of reloading resumes from now
    and is not told to reset again on every reconnection.
    """
    return encode_event(latest, Reset.type, reset_data(latest, reason))
