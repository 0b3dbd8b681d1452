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


class DatelineHttpToolsProtocol(HttpToolsProtocol):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if type(self.pipeline) is deque and not self.pipeline:
            self.pipeline = ListDeque()  # type: ignore[assignment]

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        flow = self.flow  # just made by uvicorn; nothing else holds it yet (cycles get it on each request)
        if type(flow) is FlowControl and not flow.read_paused and not flow.write_paused:
            self.flow = LazyFlowControl(transport)

    def on_headers_complete(self) -> None:
        super().on_headers_complete()
        cycle = self.cycle
        # The cycle was just made and its task not yet run: nothing waits on its event yet.
        if cycle is not None and _fresh_event(getattr(cycle, "message_event", None)):
            cycle.message_event = LightEvent()
