"""One connected SSE reader, and how bytes reach it without a task, queue or coroutine per reader per event.

Three ways to write, chosen once per reader after the response has started through ``send`` as usual:

* **direct** (uvicorn's httptools protocol, chunked response: the one ``dateline serve`` runs). The hub frames each
  event once as a complete HTTP/1.1 chunk and, per reader, does what a bare asyncio broadcast loop does::

      if cycle.disconnected: drop   elif cycle.flow.write_paused: backlog   else: transport.write(chunk)

  ``cycle`` is uvicorn's ``RequestResponseCycle`` (``send.__self__``): ``disconnected`` and ``flow.write_paused``
  (set by the transport when its buffer passes the high-water mark) are exactly what uvicorn's own ``send`` checks
  before it writes; its chunk framing is ``%x\\r\\n<body>\\r\\n``, the bytes we write. The response still starts and
  ends through ``send``, so uvicorn writes the headers and the terminating chunk and knows the response is complete.
* **driven** (uvicorn's h11 protocol, which frames through h11's state machine). uvicorn's ``send`` only suspends
  when writing is paused; otherwise it runs to completion on its first step, having called ``transport.write``.
  The hub drives it by hand, ``coro.send(None)``: one synchronous call per reader per event. If the first step
  suspends, uvicorn is waiting in ``flow.drain()`` *before* writing anything: the coroutine is closed unwritten and
  the reader moves to the backlog.
* **generic** (any other ASGI server, or a wrapped ``send``): every frame goes through the backlog and the reader's
  own request task writes it. Correct everywhere, but one wake-up per reader per event.

Slow readers: a reader whose writes are paused gets a backlog written by a task that awaits ``send`` (with flow
control); when it has caught up it returns to its fast path. One whose backlog passes ``MAX_BACKLOG_BYTES`` is
dropped: its connection is aborted and it resumes with ``Last-Event-ID`` (EventSource does this by itself).

Waiting for the end (memory: 19,000 idle readers per process). On uvicorn the request task does not call
``receive()`` (two coroutine frames and a future per reader, for as long as it is connected): it awaits one future
registered on the cycle's ``message_event``, which uvicorn sets on disconnect and when the response completes —
see ``Subscriber.waiter``. Elsewhere it awaits ``receive()`` until ``http.disconnect``.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import Awaitable, Iterable
from typing import Any

from dateline.live.types import Message, Receive, Send

# Live bytes a slow reader may have queued (beyond its resume backlog) before it is dropped. 1 MiB is a few hundred
# posts: a reader that far behind is better served by reconnecting and resuming from the ring or the database.
MAX_BACKLOG_BYTES = 1 << 20

# A resume larger than this is written through the backlog (with flow control) rather than in one write.
DIRECT_CATCH_UP_BYTES = 64 * 1024

# Modules whose ``RequestResponseCycle.send`` completes without suspending unless writing is paused (checked in
# uvicorn 0.30–0.54; tests/live/test_fast_path.py checks the installed version still behaves so).
_HTTPTOOLS = "uvicorn.protocols.http.httptools_impl"
_SYNC_SEND_MODULES = frozenset({_HTTPTOOLS, "uvicorn.protocols.http.h11_impl"})

END_OF_STREAM: Message = {"type": "http.response.body", "body": b"", "more_body": False}


def body(frame: bytes) -> Message:
    return {"type": "http.response.body", "body": frame, "more_body": True}


def chunk(frame: bytes) -> bytes:
    """One frame as a complete HTTP/1.1 chunk: the bytes uvicorn's httptools ``send`` would write for it."""
    return b"%x\r\n%s\r\n" % (len(frame), frame)


def _event_waiters(cycle: Any) -> Any:
    """The waiter queue of the cycle's ``message_event`` (an ``asyncio.Event``), or None if it is not one."""
    event = getattr(cycle, "message_event", None)
    waiters = getattr(event, "_waiters", None)
    if isinstance(event, asyncio.Event) and hasattr(waiters, "append") and hasattr(waiters, "remove"):
        return waiters
    return None


class Subscriber:
    __slots__ = ("send", "fast", "cycle", "readers", "transport", "watch", "backlog", "backlog_bytes", "limit",
                 "writer", "closed", "waiting", "_wake")

    def __init__(self, send: Send, *, allow_fast: bool = True) -> None:
        cycle = getattr(send, "__self__", None)
        transport = getattr(cycle, "transport", None)
        module = type(cycle).__module__
        self.send = send
        self.fast = allow_fast and transport is not None and module in _SYNC_SEND_MODULES
        direct = (self.fast and module == _HTTPTOOLS and getattr(cycle, "chunked_encoding", None) is True
                  and getattr(cycle, "response_started", False) is True
                  and isinstance(getattr(getattr(cycle, "flow", None), "write_paused", None), bool))
        # Direct path: the uvicorn cycle (for ``disconnected`` and ``flow``) and its transport.
        self.cycle: Any = cycle if direct else None
        self.transport: Any = transport if self.fast else None
        # The cycle whose message_event tells the request task the connection ended (uvicorn), else None.
        self.watch: Any = cycle if self.fast and _event_waiters(cycle) is not None else None
        # None on the fast paths; frames waiting to be written otherwise.
        self.backlog: deque[bytes] | None = None if self.fast else deque()
        self.backlog_bytes = 0
        self.limit = MAX_BACKLOG_BYTES
        self.writer: asyncio.Task[None] | None = None
        self.closed = False
        self.waiting: asyncio.Future[Any] | None = None
        self.readers: set[Subscriber] | None = None  # the channel's set this reader is in (see ``follow``)
        self._wake: asyncio.Future[None] | None = None

    @property
    def direct(self) -> bool:
        return self.cycle is not None

    # --- called by the hub -------------------------------------------------------------------------------------

    def catch_up(self, frames: Iterable[bytes]) -> None:
        """Write (or queue) frames the reader missed, before anything live."""
        frames = list(frames)
        if not frames:
            return
        size = sum(map(len, frames))
        cycle = self.cycle
        if (cycle is not None and self.backlog is None and size <= DIRECT_CATCH_UP_BYTES
                and not cycle.disconnected and not cycle.flow.write_paused):
            self.transport.write(chunk(b"".join(frames)))  # one write; no task
            return
        if self.backlog is None:
            self.backlog = deque()
        self.backlog.extend(frames)
        self.backlog_bytes += size
        self.limit += size  # a resume backlog is bounded by the ring and the catch-up limit, not by MAX_BACKLOG
        self._start_writing()

    def enqueue(self, frame: bytes) -> bool:
        """Add a frame to the backlog; False (and the reader must be dropped) when the backlog is over its limit."""
        backlog = self.backlog
        if backlog is None:
            backlog = self.backlog = deque()
        backlog.append(frame)
        self.backlog_bytes += len(frame)
        if self.backlog_bytes > self.limit:
            return False
        self._start_writing()
        return True

    def _start_writing(self) -> None:
        if self.fast:
            if self.writer is None:  # exactly one writer at a time keeps frames in order
                self.writer = asyncio.get_running_loop().create_task(self.flush())
        else:
            self._wakeup()

    def close(self, *, graceful: bool) -> None:
        """End the stream: with a final empty chunk when it can be written at once, else by aborting the connection.

        Either way uvicorn then sets the cycle's message event (response complete, or connection lost), which ends
        the request task's wait.
        """
        if self.closed:
            return
        self.closed = True
        if self.fast:
            if graceful and self.backlog is None and _try_send(self.send, END_OF_STREAM):
                return  # uvicorn marks the response complete
            with contextlib.suppress(Exception):
                self.transport.abort()  # → connection_lost
        self._wakeup()

    # --- run by the reader's own request task --------------------------------------------------------------------

    def waiter(self, receive: Receive) -> Awaitable[Any] | None:
        """What the request task awaits next; None when the response is over (disconnected, or ended).

        The request task loops ``while (w := sub.waiter(receive)) is not None: await w`` — in its own frame, so a
        connected reader costs no coroutine frame of ours beyond the app's ``__call__``.
        """
        cycle = self.watch
        if cycle is None:
            if self.waiting is not None:
                return None  # the coroutine below has run: the reader is gone
            self.waiting = asyncio.get_running_loop().create_future()  # a marker: run once
            return self._until_disconnect(receive) if self.fast else self._pump_until_disconnect(receive)
        waiters = cycle.message_event._waiters
        if self.waiting is not None:
            with contextlib.suppress(ValueError):
                waiters.remove(self.waiting)
            self.waiting = None
        if cycle.disconnected or cycle.response_complete:
            return None
        # As receive() does: consume whatever set the event (the GET itself, or a stray pipelined byte), then wait for
        # the next set(): uvicorn's connection_lost() or the end of the response.
        cycle.message_event.clear()
        future = self.waiting = asyncio.get_running_loop().create_future()
        waiters.append(future)
        return future

    def follow(self, readers: set[Subscriber]) -> None:
        """Join a channel's readers: from now on the hub writes every event to this reader."""
        self.readers = readers
        readers.add(self)

    def detach(self) -> None:
        """The request is over: leave the channel, stop writing."""
        if self.readers is not None:
            self.readers.discard(self)
            self.readers = None
        self.closed = True
        if self.writer is not None:
            self.writer.cancel()
        if self.watch is not None and self.waiting is not None:
            with contextlib.suppress(ValueError):
                self.watch.message_event._waiters.remove(self.waiting)
        self.waiting = None

    async def _until_disconnect(self, receive: Receive) -> None:
        while (await receive())["type"] != "http.disconnect":
            pass

    async def _pump_until_disconnect(self, receive: Receive) -> None:
        watcher = asyncio.get_running_loop().create_task(self._close_on_disconnect(receive))
        try:
            await self.pump()
        finally:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher

    async def _close_on_disconnect(self, receive: Receive) -> None:
        await self._until_disconnect(receive)
        self.close(graceful=False)

    async def flush(self) -> None:
        """Write the backlog, awaiting flow control; then go back to the fast path."""
        try:
            while self.backlog and not self.closed:
                frame = self.backlog.popleft()
                self.backlog_bytes -= len(frame)
                await self.send(body(frame))
        finally:
            self.writer = None
        if self.fast and not self.closed and not self.backlog:
            self.backlog = None
            self.backlog_bytes = 0
            self.limit = MAX_BACKLOG_BYTES

    async def pump(self) -> None:
        """Generic path: write frames as they come until closed, then end the response."""
        loop = asyncio.get_running_loop()
        while not self.closed:
            if not self.backlog:
                self._wake = loop.create_future()
                await self._wake
                continue
            await self.flush()
        with contextlib.suppress(Exception):
            await self.send(END_OF_STREAM)

    def _wakeup(self) -> None:
        wake = self._wake
        if wake is not None and not wake.done():
            wake.set_result(None)
        self._wake = None


def _try_send(send: Send, message: Message) -> bool:
    """Run ``send(message)`` to completion if it does not suspend; True when it completed (the bytes are written)."""
    coro = send(message)
    try:
        coro.send(None)  # type: ignore[attr-defined]
    except StopIteration:
        return True
    except Exception:
        return False
    coro.close()  # type: ignore[attr-defined]
    return False
