"""Pruning the change log. Readers need old changes only to resume; the page itself is rebuilt from content rows.

Per blog, a change is kept while it is among the last ``DATELINE_CHANGE_RETENTION_COUNT`` or newer than
``DATELINE_CHANGE_RETENTION_HOURS`` — whichever keeps more (the contract promises at least 1,000 changes or 24 h).
A reader asking to resume from before what is kept gets ``reset`` and reloads the page.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Max
from django.utils import timezone

from dateline.coverage.models import Change, LiveBlog


def prune_changes(now: datetime | None = None) -> int:
    """Delete changes past retention in every blog; return how many were deleted."""
    now = now or timezone.now()
    keep_count = settings.DATELINE_CHANGE_RETENTION_COUNT
    cutoff = now - timedelta(hours=settings.DATELINE_CHANGE_RETENTION_HOURS)
    deleted = 0
    for blog_id, seq in LiveBlog.objects.filter(seq__gt=keep_count).values_list("id", "seq"):
        # Only changes below both bounds go: older than the cutoff AND not among the newest keep_count.
        oldest_kept_by_count = seq - keep_count + 1
        newest_old = Change.objects.filter(blog_id=blog_id, created_at__lt=cutoff).aggregate(m=Max("seq"))["m"]
        if newest_old is None:
            continue
        below = min(oldest_kept_by_count, newest_old + 1)
        count, _ = Change.objects.filter(blog_id=blog_id, seq__lt=below).delete()
        deleted += count
    return deleted
