"""Scheduled posts publish on time while the server runs, and none is lost by a restart.

The schedule lives in the database (``Post.publish_at`` on a draft), so a restart only delays a due post until the
loop's next tick; each post is published through ``actions.publish_scheduled_post`` (the usual permission check,
revision, audit and live change). Several processes may run the loop at once: publishing takes the blog's lock and
an already-published post is a no-op edit, so a post is never published twice.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import datetime

from django.db import close_old_connections
from django.utils import timezone

from dateline.coverage import actions
from dateline.coverage.models import Post
from dateline.coverage.retention import prune_changes

log = logging.getLogger("dateline.coverage.scheduler")
# Posts are scheduled to the minute; a 5 s tick publishes them within seconds of their time at negligible cost
# (one indexed query per tick).
TICK_SECONDS = 5.0
# The change log is pruned to its retention (coverage/retention.py) hourly: it grows by at most a few thousand rows
# an hour on the busiest blog, and pruning is one indexed delete per blog.
PRUNE_EVERY_SECONDS = 3600.0

_started = threading.Lock()
_thread: threading.Thread | None = None
_stop = threading.Event()


def publish_due(now: datetime | None = None) -> int:
    """Publish every scheduled draft whose time has come; return how many were published."""
    now = now or timezone.now()
    due = Post.objects.filter(status=Post.Status.DRAFT, publish_at__lte=now).select_related(
        "blog", "created_by", "scheduled_by")
    published = 0
    for post in due.order_by("publish_at", "id"):
        if actions.publish_scheduled_post(post, now=now) is not None:
            published += 1
            log.info("published scheduled post %s in %s", post.pk, post.blog.slug)
        else:
            log.warning("schedule of post %s cancelled: its author may no longer publish it", post.pk)
    return published


def run_forever(stop: threading.Event, tick: float = TICK_SECONDS) -> None:
    next_prune = time.monotonic() + PRUNE_EVERY_SECONDS
    while not stop.is_set():
        try:
            publish_due()
            if time.monotonic() >= next_prune:
                next_prune = time.monotonic() + PRUNE_EVERY_SECONDS
                prune_changes()
        except Exception:  # a database hiccup must not end scheduling for the life of the process
            log.exception("scheduler tick failed; retrying in %s s", tick)
        finally:
            close_old_connections()
        stop.wait(tick)


def start_scheduler(tick: float = TICK_SECONDS) -> threading.Event:
    """Start the loop in a daemon thread (once per process); set the returned event to stop it."""
    global _thread
    with _started:
        if _thread is None or not _thread.is_alive():
            _stop.clear()
            _thread = threading.Thread(target=run_forever, args=(_stop, tick), name="dateline-scheduler",
                                       daemon=True)
            _thread.start()
    return _stop
