"""Brokers carry committed changes from the process that wrote them to every live edge.

Two backends behind one small interface:

* ``InProcessBroker`` (default): SQLite, one process. ``publish`` may be called from any thread (Django runs
  sync views in a thread pool); it hands the message to each subscribed event loop with ``call_soon_threadsafe``.
* ``RedisBroker`` (``DATELINE_REDIS_URL``): several processes or machines. Publishes on one Redis channel.

With ``DATELINE_GRIP_URL`` either is wrapped in a ``GripBroker`` (``grip.py``), which also publishes every change to
the GRIP proxy (Pushpin) that holds readers' streams.

A broker is only a fast path. The database is the source of truth: a live edge that sees a gap in ``seq`` (a
message lost with a Redis restart, or a change written by another process on SQLite) reads it from ``Change``.
"""

from __future__ import annotations

import threading

from django.conf import settings

from dateline.broker.base import CHANNEL, Broker, Listener, stamped
from dateline.broker.inprocess import InProcessBroker
from dateline.broker.messages import ChangeMessage

__all__ = ["CHANNEL", "Broker", "ChangeMessage", "InProcessBroker", "Listener", "get_broker", "set_broker", "stamped"]

_broker: Broker | None = None
_broker_lock = threading.Lock()


def get_broker() -> Broker:
    """The process-wide broker, chosen by ``DATELINE_REDIS_URL``."""
    global _broker
    with _broker_lock:
        if _broker is None:
            if settings.DATELINE_REDIS_URL:
                from dateline.broker.redis import RedisBroker

                _broker = RedisBroker(settings.DATELINE_REDIS_URL)
            else:
                _broker = InProcessBroker()
            if settings.DATELINE_GRIP_URL:
                from dateline.broker.grip import GripBroker, GripPublisher

                _broker = GripBroker(_broker, GripPublisher(settings.DATELINE_GRIP_URL,
                                                            settings.DATELINE_GRIP_PUBLISH_TOKEN))
        return _broker


def set_broker(broker: Broker | None) -> None:
    """Replace the process-wide broker (tests, and ``dateline serve`` after reading its options)."""
    global _broker
    with _broker_lock:
        _broker = broker
