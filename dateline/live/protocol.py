"""uvicorn's httptools protocol with lighter per-connection objects, for 19,000 idle SSE readers per process.

Measured (tracemalloc and RSS, uvicorn 0.54, Python 3.11; see docs/performance.md): of ~9.6 KB per held SSE
connection, about 9 KB is uvicorn's and asyncio's — and three ``collections.deque`` objects are ~1.9 KB of it, each
allocating a 64-slot block though it holds at most a waiter or two:

* ``HttpToolsProtocol.pipeline`` (pipelined requests; nearly always empty);
* the ``asyncio.Event`` in ``FlowControl`` (awaited only while writing is paused);
* the ``asyncio.Event`` ``message_event`` of each request cycle (one waiter at a time).

``DatelineHttpToolsProtocol`` replaces exactly those, right after uvicorn creates them and before anything uses
them, with equivalents on a plain list: a list with ``appendleft`` for the pipeline, a ``FlowControl`` whose event is
made only when writing is first paused, and an ``asyncio.Event`` whose waiters are a list. Everything else is
uvicorn's own code. If a uvicorn version changes those attributes, the protocol leaves them alone (same behaviour,
more memory); tests/live/test_protocol.py checks the installed version takes the light path and that pipelining,
flow control and disconnects still work.
"""

from __future__ import annotations

import asyncio
from collections import deque
from typing import Any

from uvicorn.protocols.http.flow_control import FlowControl
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol


class ListDeque(list[Any]):
    """The part of ``deque`` that uvicorn's pipeline and ``asyncio.Event`` use, on a list (56 bytes, not ~620)."""

    __slots__ = ()

    def appendleft(self, item: Any) -> None:
        self.insert(0, item)


class LightEvent(asyncio.Event):
    """``asyncio.Event`` with its waiters in a list: ``wait`` appends and removes, ``set`` iterates."""

    def __init__(self) -> None:
        super().__init__()
        self._waiters = ListDeque()  # type: ignore[assignment]


class LazyFlowControl(FlowControl):
    """uvicorn's ``FlowControl``, making its writable event only when writing is first paused."""

    def __init__(self, transport: asyncio.Transport) -> None:
        self._transport = transport
        self.read_paused = False
        self.write_paused = False
        self._is_writable_event: asyncio.Event | None = None  # type: ignore[assignment]

    async def drain(self) -> None:
        if self.write_paused:
            if self._is_writable_event is None:
                self._is_writable_event = LightEvent()
            await self._is_writable_event.wait()

    def pause_writing(self) -> None:
        if not self.write_paused:
            self.write_paused = True
            if self._is_writable_event is not None:
                self._is_writable_event.clear()

    def resume_writing(self) -> None:
        if self.write_paused:
            self.write_paused = False
            if self._is_writable_event is not None:
                self._is_writable_event.set()


def _fresh_event(event: object) -> bool:
    return type(event) is asyncio.Event and not event.is_set() and not event._waiters


# Connections still sending their request head, oldest first (a dict keeps insertion order): the ones dropped when
# file descriptors run short. A connection leaves it when its head is complete, so held readers are never here.
_awaiting_head: dict[DatelineHttpToolsProtocol, None] = {}

_STATUS_431 = (b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-type: text/plain; charset=utf-8\r\n"
               b"content-length: 34\r\nconnection: close\r\n\r\nRequest header fields too large.\r\n")


class DatelineHttpToolsProtocol(HttpToolsProtocol):
    """Also guards the request head, which uvicorn's httptools protocol does not bound at all:

    * ``max_head_bytes``: a request line and headers larger than this get 431 and the connection closes (httptools
      would otherwise buffer a 16 MiB header, and 20 of them cost 700 MB) — a head pipelined behind an open stream
      too (the connection closes: a 431 cannot go into a stream);
    * ``head_timeout``: a connection that has not sent a complete head this many seconds after it opened (or after
      its last response) is closed, however slowly it trickles bytes;
    * ``body_timeout``: a request whose body stops arriving for this many seconds is closed (a slow upload that
      keeps sending is not; nor one whose reading we paused);
    * ``fd_limit`` - ``fd_margin``: when open connections reach it, the connections that have not yet sent a
      complete head are closed, oldest first, so a flood of idle sockets cannot take the descriptors that live
      readers, the database and ``/healthz`` need.

    ``dateline serve`` sets these from the settings (server.py); a held SSE reader carries none of this state.
    """

    max_head_bytes = 64 * 1024
    head_timeout = 10.0
    body_timeout = 30.0
    fd_limit = 1024
    fd_margin = 64

    # Bytes of the request head received so far, counted from the end of the previous request's message (or the
    # connection's start) to the end of this head, whether or not a response is still streaming; -1 in a body.
    _head_bytes = 0
    _head_timer: asyncio.TimerHandle | None = None
    _body_timer: asyncio.TimerHandle | None = None
    _body_at = 0.0  # when body bytes last arrived

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if type(self.pipeline) is deque and not self.pipeline:
            self.pipeline = ListDeque()  # type: ignore[assignment]

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        flow = self.flow  # just made by uvicorn; nothing else holds it yet (cycles get it on each request)
        if type(flow) is FlowControl and not flow.read_paused and not flow.write_paused:
            self.flow = LazyFlowControl(transport)
        if len(self.connections) + self.fd_margin >= self.fd_limit:
            _drop_idle(len(self.connections) + self.fd_margin - self.fd_limit + 1)
        self._await_head()

    def _await_head(self) -> None:
        self._head_timer = self.loop.call_later(self.head_timeout, self._head_timed_out)
        _awaiting_head[self] = None

    def _head_done(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None
        _awaiting_head.pop(self, None)

    def _head_timed_out(self) -> None:
        self._head_timer = None
        _awaiting_head.pop(self, None)
        if not self.transport.is_closing():
            self.transport.close()

    def data_received(self, data: bytes) -> None:
        # Counted before the parser sees it, up to the blank line that ends the head when it is in this chunk: a
        # head must not pass because it ends inside a read, and the body after it is not head. Counted behind an
        # open stream too: httptools would buffer a pipelined head that never ends, however large.
        if self._head_bytes >= 0:
            end = data.find(b"\r\n\r\n")
            self._head_bytes += len(data) if end < 0 else end + 4
            if self._head_bytes > self.max_head_bytes:
                self._refuse_head()
                return
        super().data_received(data)
        if self._head_bytes < 0 and not self.transport.is_closing():  # inside a body that is still arriving
            self._body_at = self.loop.time()
            if self._body_timer is None:
                self._body_timer = self.loop.call_later(self.body_timeout, self._body_stalled)

    def _refuse_head(self) -> None:
        self._head_done()
        if self.transport.is_closing():
            return
        cycle = self.cycle
        if cycle is None or cycle.response_complete:  # else a response is streaming: a 431 cannot go into it
            self.transport.write(_STATUS_431)
        self.transport.close()

    def _body_stalled(self) -> None:
        self._body_timer = None
        if self._head_bytes >= 0 or self.transport.is_closing():
            return  # the body is complete
        idle = self.loop.time() - self._body_at
        if idle < self.body_timeout or self.flow.read_paused:  # still arriving, or we stopped reading it
            self._body_timer = self.loop.call_later(max(self.body_timeout - idle, 0.05), self._body_stalled)
            return
        self.transport.close()  # the app's receive() gets http.disconnect

    def _body_done(self) -> None:
        self._head_bytes = 0  # what comes next is the next request's head
        if self._body_timer is not None:
            self._body_timer.cancel()
            self._body_timer = None

    def on_headers_complete(self) -> None:
        self._head_done()
        self._head_bytes = -1
        super().on_headers_complete()
        cycle = self.cycle
        # The cycle was just made and its task not yet run: nothing waits on its event yet.
        if cycle is not None and _fresh_event(getattr(cycle, "message_event", None)):
            cycle.message_event = LightEvent()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        # The next request on this connection has head_timeout to arrive, too — once this request's body is in:
        # a body still arriving after an early answer (a 413) is drained, not counted as a head.
        if not self.transport.is_closing() and self._head_timer is None and not self.pipeline and \
                not (self.cycle is not None and self.cycle.more_body):
            self._await_head()

    def on_message_complete(self) -> None:
        self._body_done()
        super().on_message_complete()
        cycle = self.cycle
        if cycle is not None and cycle.response_complete and self._head_timer is None and \
                not self.transport.is_closing() and not self.pipeline:
            self._await_head()  # the early answer went first; the body is in now

    def connection_lost(self, exc: Exception | None) -> None:
        self._head_done()
        self._body_done()
        super().connection_lost(exc)


def _drop_idle(count: int) -> None:
    """Close up to ``count`` connections that have not sent a complete request head, oldest first."""
    for protocol in list(_awaiting_head)[:count]:
        _awaiting_head.pop(protocol, None)
        protocol._head_done()
        if not protocol.transport.is_closing():
            protocol.transport.close()
