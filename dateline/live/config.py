"""The live edge's sizes and intervals, in one place (the hub, the channels, SSE and /changes read them here)."""

from __future__ import annotations

import os


def seconds_from_env(name: str, value: str | None, default: float, maximum: float) -> float:
    """An interval from the environment: unset or empty is ``default``; anything else must be in (0, maximum]."""
    if not value:
        return default
    try:
        seconds = float(value)
    except ValueError:
        seconds = float("nan")
    if not 0 < seconds <= maximum:  # also refuses NaN
        raise ValueError(f"{name} must be a number of seconds, more than 0 and at most {maximum:g}; got {value!r}")
    return seconds


RING_SIZE = 1000  # recent events kept in memory per blog; older resumes are read from the database
# ... and at most this many bytes of them: 1,000 changes of 8 KB, or ~150 of the 55 KB a long post with its fragment
# makes. A blog of long posts then serves fewer resumes from memory (the rest from the database) rather than
# holding 55 MB per followed blog.
RING_BYTES = 8 << 20
# /changes answers kept (changes.py), for every blog together; one answer over ANSWER_MAX_BYTES is built per request
# (a reader that far behind is rare, and a CDN keeps the answer anyway).
ANSWER_CACHE_BYTES = 16 << 20
ANSWER_MAX_BYTES = 2 << 20
CATCH_UP_LIMIT = 5000  # a reader further behind than this is told to reload: replaying would cost more
# Seconds between database checks for changes no broker told us about. Configurable so that tests can prove what
# the broker delivers on its own (a long interval), not to be tuned in production.
CHECK_INTERVAL = seconds_from_env("DATELINE_LIVE_CHECK_INTERVAL", os.environ.get("DATELINE_LIVE_CHECK_INTERVAL"),
                                  1.5, 3600.0)
# Every 20 s: proxies and load balancers close idle connections after 30 s (some corporate proxies), 55–60 s
# (Heroku's router, AWS ALB, nginx's proxy_read_timeout), so a comment every 20 s keeps even the strictest open
# with margin, and lets the server notice dead connections. The contract says at most every 25 s, hence the maximum.
HEARTBEAT_INTERVAL = seconds_from_env("DATELINE_LIVE_HEARTBEAT_INTERVAL",
                                      os.environ.get("DATELINE_LIVE_HEARTBEAT_INTERVAL"), 20.0, 25.0)
IDLE_CHANNEL_SECONDS = 600.0  # forget a blog with no readers and no requests for this long
MISSING_SLUG_SECONDS = 5.0  # remember briefly that a slug does not exist, so 404 floods do not reach the database
