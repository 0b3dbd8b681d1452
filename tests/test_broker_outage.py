"""A Redis outage is a few clear log lines, not a traceback per change (issue 12, bench/soak).

The soak (bench/soak.py) stops its own Redis for 5 s under load: before this, every process printed a full
traceback for every change it published (``exc_info=True``) and a warning for every reconnection attempt. Here
against port 1 on loopback, where nothing listens: the connection is refused at once, as when Redis is stopped.
"""

from __future__ import annotations

import asyncio
import logging

import pytest
import redis

from dateline.broker.messages import ChangeMessage
from dateline.broker.redis import RedisBroker

DOWN = "redis://127.0.0.1:1/0?channel=dateline-outage-test"


def message(seq: int) -> ChangeMessage:
    return ChangeMessage(blog_id=1, slug="outage", seq=seq, type="post.published", data="{}")


def records(caplog: pytest.LogCaptureFixture, level: int) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "dateline.broker.redis" and r.levelno == level]


def test_publishing_while_redis_is_down_logs_one_warning_per_outage_without_a_traceback(caplog):
    broker = RedisBroker(DOWN)
    caplog.set_level(logging.INFO, logger="dateline.broker.redis")
    for seq in range(1, 6):
        broker.publish(message(seq))  # refused: not raised (the change is committed), logged once
    warnings = records(caplog, logging.WARNING)
    assert len(warnings) == 1, [r.getMessage() for r in warnings]
    assert not warnings[0].exc_info  # the traceback only at DEBUG
    assert "once per outage" in warnings[0].getMessage() and "outage seq 1" in warnings[0].getMessage()

    # Redis is back: one INFO line says so, with how many publishes failed; a later outage warns again.
    class Up:
        def publish(self, channel: str, data: str) -> int:
            return 1

    refused = broker._sync
    broker._sync = Up()  # type: ignore[assignment]
    broker.publish(message(6))
    broker.publish(message(7))
    back = records(caplog, logging.INFO)
    assert [r.getMessage() for r in back] == ["Redis publish works again after 5 failed"]
    broker._sync = refused
    broker.publish(message(8))
    assert len(records(caplog, logging.WARNING)) == 2


def test_publishing_while_redis_is_down_keeps_the_traceback_at_debug(caplog):
    broker = RedisBroker(DOWN)
    caplog.set_level(logging.DEBUG, logger="dateline.broker.redis")
    broker.publish(message(1))
    (warning,) = records(caplog, logging.WARNING)
    assert warning.exc_info is not None and issubclass(warning.exc_info[0], redis.RedisError)


def test_a_lost_subscription_warns_once_while_it_keeps_reconnecting(caplog):
    caplog.set_level(logging.DEBUG, logger="dateline.broker.redis")
    broker = RedisBroker(DOWN)

    async def run() -> None:
        def listener(change: ChangeMessage) -> None:
            raise AssertionError("nothing can arrive from a Redis that is down")

        await broker.subscribe(listener)  # gives up waiting after 5 s; the task keeps trying (0.2, 0.4, 0.8 s…)
        await broker.unsubscribe(listener)

    asyncio.run(run())
    warnings = records(caplog, logging.WARNING)
    retries = [r for r in caplog.records if r.name == "dateline.broker.redis" and r.levelno == logging.DEBUG]
    assert len(warnings) == 1, [r.getMessage() for r in warnings]
    assert warnings[0].getMessage().startswith("Redis subscription lost (")
    # It kept trying (0.2, 0.4, 0.8, 1.6 s… apart): each later attempt is a DEBUG line, not another warning.
    assert len(retries) >= 2, [r.getMessage() for r in retries]
