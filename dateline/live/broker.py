"""Brokers carry committed changes from the process that wrote them to every live edge.

Two backends behind one small interface:

* ``InProcessBroker`` (default): SQLite, one process. ``publish`` may be called from any thread (Django runs
  sync views in a thread pool); it hands the message to each subscribed event loop with ``call_soon_threadsafe``.
* ``RedisBroker`` (``DATELINE_REDIS_URL``): several processes or machines. Publishes on one Redis channel.

A broker is only a fast path. The database is the source of truth: a live edge that sees a gap in ``seq`` (a
message lost with a Redis restart, or a change written by another process on SQLite) reads it from ``Change``.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import threading
import time
from collections.abc import Callable
from typing import Protocol

from django.conf import settings

from dateline.live.messages import ChangeMessage

log = logging.getLogger(__name__)

CHANNEL = "dateline:changes"
Listener = Callable[[ChangeMessage], None]


class Broker(Protocol):
    def publish(self, message: ChangeMessage) -> None:
        """Hand a committed change to every live edge; called on commit, from any thread; never raises."""

    async def subscribe(self, listener: Listener, on_connect: Callable[[], None] | None = None) -> None:
        """Call ``listener`` in the running loop for every change published from now on, until ``unsubscribe``.

        ``on_connect`` runs after each (re)connection, when changes may have been missed meanwhile."""

    async def unsubscribe(self, listener: Listener) -> None:
        """Stop calling ``listener``; release connections."""


def stamped(message: ChangeMessage) -> ChangeMessage:
    """The message with its publish time set (for the edge's publish→write latency histogram)."""
    if message.published_at:
        return message
    return dataclasses.replace(message, published_at=time.time())


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


_broker: Broker | None = None
_broker_lock = threading.Lock()


def get_broker() -> Broker:
    """The process-wide broker, chosen by ``DATELINE_REDIS_URL``."""
    global _broker
    with _broker_lock:
        if _broker is None:
            if settings.DATELINE_REDIS_URL:
                from dateline.live.redis_broker import RedisBroker

                _broker = RedisBroker(settings.DATELINE_REDIS_URL)
            else:
                _broker = InProcessBroker()
        return _broker


def set_broker(broker: Broker | None) -> None:
    """Replace the process-wide broker (tests, and ``dateline serve`` after reading its options)."""
    global _broker
    with _broker_lock:
        _broker = broker
