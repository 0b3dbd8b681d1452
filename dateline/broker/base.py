"""What every broker backend shares: the interface, the channel name and the publish time stamp."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from typing import Protocol

from dateline.broker.messages import ChangeMessage

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


