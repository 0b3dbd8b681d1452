"""Redis pub/sub broker: every process publishes to and listens on one channel.

Pub/sub is fire-and-forget: a process that is disconnected while a change is published never gets it. That is
acceptable because each live edge fills any ``seq`` gap from the database, and re-checks every blog it serves
after (re)subscribing.

While Redis is down, each process logs one warning when publishing starts failing and one when its subscription is
lost (the traceback only at DEBUG), and one INFO line each when they work again: an outage under load is a few
lines, not a traceback per change or a line per reconnection attempt.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import threading
import time
from collections.abc import Callable
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import redis
import redis.asyncio as aioredis

from dateline.broker.base import CHANNEL, Listener, stamped
from dateline.broker.messages import ChangeMessage

log = logging.getLogger(__name__)


def split_channel(url: str, default: str = CHANNEL) -> tuple[str, str]:
    """``redis://host:6379/0?channel=name`` → (the URL without ``channel``, the channel name).

    The pub/sub channel is global to a Redis server (not per database number), so deployments — or test runs —
    sharing one Redis but not one database must use different channels.
    """
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    channel = next((v for k, v in query if k == "channel" and v), default)
    rest = urlencode([(k, v) for k, v in query if k != "channel"])
    return urlunsplit(parts._replace(query=rest)), channel


class RedisBroker:
    def __init__(self, url: str, channel: str | None = None) -> None:
        url, from_url = split_channel(url)
        self.url = url
        self.channel = channel or from_url
        # Names the subscription in CLIENT LIST (no spaces allowed), so an operator — or a test — can tell whose it
        # is on a shared Redis and kill exactly this process's connection.
        self.client_name = re.sub(r"[^A-Za-z0-9_:.-]", "_", f"dateline-sub:{self.channel}:{os.getpid()}")
        self._sync = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        self._sync_lock = threading.Lock()
        self._tasks: dict[Listener, asyncio.Task[None]] = {}
        self._publish_failures = 0  # publishes failed since the last that worked: > 0 during an outage

    def publish(self, message: ChangeMessage) -> None:
        message = stamped(message)
        try:
            with self._sync_lock:
                self._sync.publish(self.channel, message.to_json())
        except redis.RedisError as exc:
            # Not fatal: the change is committed; edges find it in the database when they next check.
            if not self._publish_failures:
                log.warning("Redis publish failed (%s) for %s seq %s; until Redis is back, other processes get "
                            "changes from the database (logged once per outage)", exc, message.slug, message.seq,
                            exc_info=log.isEnabledFor(logging.DEBUG))
            self._publish_failures += 1
        else:
            if self._publish_failures:
                log.info("Redis publish works again after %d failed", self._publish_failures)
            self._publish_failures = 0

    def ping(self) -> bool:
        try:
            with self._sync_lock:
                return bool(self._sync.ping())
        except redis.RedisError:
            return False

    async def subscribe(self, listener: Listener, on_connect: Callable[[], None] | None = None) -> None:
        ready = asyncio.Event()
        self._tasks[listener] = asyncio.create_task(
            self._listen(listener, on_connect, ready), name="dateline-redis-listen"
        )
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(ready.wait(), 5)

    async def unsubscribe(self, listener: Listener) -> None:
        task = self._tasks.pop(listener, None)
        if task:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _listen(self, listener: Listener, on_connect: Callable[[], None] | None, ready: asyncio.Event) -> None:
        delay = 0.2
        lost_at: float | None = None  # when the subscription was lost (once per outage in the log)
        while True:
            client = aioredis.Redis.from_url(self.url, socket_connect_timeout=2, health_check_interval=10,
                                             client_name=self.client_name)
            try:
                async with client.pubsub(ignore_subscribe_messages=True) as pubsub:
                    await pubsub.subscribe(self.channel)
                    ready.set()
                    delay = 0.2
                    if lost_at is not None:
                        log.info("Redis subscription back after %.1fs", time.monotonic() - lost_at)
                        lost_at = None
                    if on_connect is not None:
                        # Anything published while we were not subscribed is in the database: go and look.
                        on_connect()
                    async for item in pubsub.listen():
                        if item.get("type") != "message":
                            continue
                        try:
                            listener(ChangeMessage.from_json(item["data"]))
                        except (ValueError, KeyError, TypeError):
                            log.warning("ignoring a malformed broker message", exc_info=True)
            except asyncio.CancelledError:
                raise
            except (redis.RedisError, OSError) as exc:
                if lost_at is None:
                    lost_at = time.monotonic()
                    log.warning("Redis subscription lost (%s); reconnecting every %.1f-5s, and checking the database "
                                "for what was missed once back (logged once per outage)", exc, delay,
                                exc_info=log.isEnabledFor(logging.DEBUG))
                else:
                    log.debug("Redis subscription: still reconnecting (%s)", exc)
            finally:
                with contextlib.suppress(Exception):
                    await client.aclose()
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)
