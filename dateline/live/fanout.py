"""The fan-out loop: one frame written to every reader of a channel, the edge's hot path.

It sits beside the subscriber (``subscriber.py``) because it is the other half of it: the loop reads a reader's
``backlog``, ``cycle``, ``transport`` and ``send`` directly, the three write paths described there, so per reader per
event it costs what a bare asyncio broadcast loop costs — a flag check and ``transport.write`` of one chunk.
"""

from __future__ import annotations

import logging

from dateline.live.subscriber import Subscriber, chunk

log = logging.getLogger(__name__)


def broadcast(readers: set[Subscriber], frame: bytes, *, heartbeat: bool = False) -> int:
    """Write one frame to every reader: the hot loop. Per reader, on ``dateline serve``, what a bare asyncio
    broadcast loop does — a flag check and ``transport.write`` of the one chunk framed here (see subscriber.py).

    Readers too slow to keep up are removed from ``readers`` and closed; the number of them is returned.
    """
    framed = chunk(frame)  # the complete HTTP chunk, built once for every direct reader
    message = None  # the ASGI message for driven readers, built once if there are any
    dropped: list[Subscriber] = []
    for sub in readers:
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
        readers.discard(sub)
        sub.close(graceful=False)
    return len(dropped)
