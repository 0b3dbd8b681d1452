"""The workers of one ``dateline serve --workers N`` share their numbers through Redis, so that ``/metrics``
answers for the whole server.

The workers accept on one port, so a scrape reaches whichever worker the kernel picks. Answering for itself alone,
a worker would make the readers gauge jump between the workers' values and counters run backwards. Instead every
``PUBLISH_INTERVAL`` each worker writes a snapshot of its numbers (a few dozen, as JSON) under a key of its own
with a short TTL, listed in the server's set; the worker that is scraped reads its siblings' snapshots (SMEMBERS,
then MGET) and adds its own, taken fresh. Nothing is done per event or per reader, and the event loop never waits
on a blocking call (``redis.asyncio``, as the broker).

A worker that stops publishing (it died, or its loop is stuck) leaves the sums when its key expires; its counters
leave with it, which Prometheus reads as a counter reset, as when a single process restarts. While Redis does not
answer within ``TIMEOUT``, a scrape answers with the scraped worker's own numbers (``dateline_live_workers`` 1).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid

import redis
import redis.asyncio as aioredis

from dateline.broker.redis import split_channel
from dateline.live.metrics import LiveMetrics, Snapshot

log = logging.getLogger(__name__)

PUBLISH_INTERVAL = 1.0  # seconds: a sibling's numbers in a scrape are at most this old
TTL_SECONDS = 5  # a worker silent this long is left out (a few missed publishes are not a death)
TIMEOUT = 0.5  # seconds a scrape waits for Redis before answering with this worker's numbers alone

# Set by ``dateline serve --workers N`` in each worker (server.py): the id its siblings share; None otherwise.
worker_group: str | None = None

_ERRORS = (redis.RedisError, OSError, TimeoutError, ValueError)


class SharedMetrics:
    def __init__(self, redis_url: str, group: str, metrics: LiveMetrics) -> None:
        url, _channel = split_channel(redis_url)
        self.metrics = metrics
        self.members = f"dateline:metrics:{group}"  # a set: the keys of the server's workers
        self.key = f"{self.members}:{uuid.uuid4().hex}"  # this worker's snapshot
        self.redis = aioredis.Redis.from_url(url, socket_timeout=TIMEOUT, socket_connect_timeout=TIMEOUT)
        self._task: asyncio.Task[None] | None = None
        self._failing = False

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._publish_loop(), name="dateline-shared-metrics")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        with contextlib.suppress(*_ERRORS):  # stop counting at once rather than at the TTL
            await asyncio.wait_for(self.redis.delete(self.key), TIMEOUT)
        with contextlib.suppress(*_ERRORS):
            await self.redis.aclose()

    async def publish(self) -> None:
        """Write this worker's snapshot (and keep the server's set alive as long as a worker is)."""
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.set(self.key, json.dumps(self.metrics.snapshot()), ex=TTL_SECONDS)
            pipe.sadd(self.members, self.key)
            pipe.expire(self.members, TTL_SECONDS)
            await pipe.execute()

    async def siblings(self) -> list[Snapshot]:
        """The other live workers' latest snapshots; none when Redis does not answer in time."""
        try:
            return await asyncio.wait_for(self._read_siblings(), TIMEOUT)
        except _ERRORS:
            log.warning("/metrics: Redis did not answer; reporting this worker's numbers only",
                        exc_info=log.isEnabledFor(logging.DEBUG))
            return []

    async def _read_siblings(self) -> list[Snapshot]:
        mine = self.key.encode()
        keys = sorted(key for key in await self.redis.smembers(self.members) if key != mine)
        if not keys:
            return []
        values = await self.redis.mget(keys)
        gone = [key for key, value in zip(keys, values, strict=True) if value is None]
        if gone:
            await self.redis.srem(self.members, *gone)  # expired: those workers stopped
        return [json.loads(value) for value in values if value is not None]

    async def _publish_loop(self) -> None:
        while True:
            try:
                await self.publish()
            except _ERRORS:
                if not self._failing:  # once per outage, not every second
                    log.warning("could not share this worker's metrics through Redis; retrying every %gs",
                                PUBLISH_INTERVAL, exc_info=log.isEnabledFor(logging.DEBUG))
                self._failing = True
            else:
                if self._failing:
                    log.info("sharing this worker's metrics through Redis again")
                self._failing = False
            await asyncio.sleep(PUBLISH_INTERVAL)
