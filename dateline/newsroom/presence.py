"""Who has a post open in the editor right now: a heartbeat every 10 s, remembered for 30 s in the cache.

The cache is shared by every serving process when Redis is configured (``dateline/cache.py``), so presence spans
``--workers N``. Advisory only — the version check is what prevents overwrites — so two beats crossing between
processes may drop one name until its next beat (10 s), and a Redis outage shows nobody rather than failing.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

from django.core.cache import cache

STALE_AFTER_SECONDS = 30


def _key(post_id: int) -> str:
    return f"dateline:presence:post:{post_id}"


def beat(post_id: int, user: Any) -> list[str]:
    """Record that ``user`` is editing the post; return the names of the others editing it."""
    now = time.time()
    editing: dict[str, Any] = cache.get(_key(post_id)) or {}
    editing = {uid: entry for uid, entry in editing.items() if now - entry[1] < STALE_AFTER_SECONDS}
    editing[str(user.pk)] = (user.byline, now)
    cache.set(_key(post_id), editing, STALE_AFTER_SECONDS * 2)
    return sorted(name for uid, (name, _seen) in editing.items() if uid != str(user.pk))


def editing(post_ids: Iterable[int], viewer: Any) -> dict[int, list[str]]:
    """Who, other than ``viewer``, is editing each of these posts now — for the desk's rows. One cache round trip.

    Read-only: looking at the desk is not editing, so it never refreshes anyone's entry.
    """
    ids = list(post_ids)
    if not ids:
        return {}
    now = time.time()
    found = cache.get_many([_key(pk) for pk in ids])
    answer: dict[int, list[str]] = {}
    for pk in ids:
        entries = found.get(_key(pk)) or {}
        names = sorted(name for uid, (name, seen) in entries.items()
                       if uid != str(viewer.pk) and now - seen < STALE_AFTER_SECONDS)
        if names:
            answer[pk] = names
    return answer
