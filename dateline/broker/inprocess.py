"""The default broker: one process (SQLite, or tests), event loops in this process only."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable

from dateline.broker.base import Listener, stamped
from dateline.broker.messages import ChangeMessage

log = logging.getLogger(__name__)


class InProcessBroker:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._listeners: list[tuple[asyncio.AbstractEventLoop, Listener]] = []

    def publish(self, message: ChangeMessage) -> None:
        message = stamped(message)
        with self._lock:
            listeners = list(self._listeners)
        for loop, listener in listeners:
            try:
                loop.call_soon_threadsafe(listener, message)
            except RuntimeError:  # that loop has closed; the edge is gone
                log.debug("dropping listener on a closed loop")

    async def subscribe(self, listener: Listener, on_connect: Callable[[], None] | None = None) -> None:
        with self._lock:
            self._listeners.append((asyncio.get_running_loop(), listener))

    async def unsubscribe(self, listener: Listener) -> None:
        with self._lock:
            self._listeners = [(lp, fn) for lp, fn in self._listeners if fn is not listener]
