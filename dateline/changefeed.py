"""The change log as the live edge reads it: ``dateline.live.source.ChangeSource`` on the Django ORM.

``dateline/asgi.py`` hands a ``ChangeFeed`` to the edge at start-up, so the edge reads blogs and changes without
importing these models (the layers point one way: docs/decisions.md).

The edge runs each query in one of its worker threads. Django connections belong to the thread that opened them,
so each query closes connections that are unusable or past ``CONN_MAX_AGE`` before and after it runs, as Django's
request cycle does.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar

from django.db import close_old_connections

from dateline.coverage.models import Change, LiveBlog
from dateline.live.source import BlogHead, ChangeRow

P = ParamSpec("P")
T = TypeVar("T")


def _job(fn: Callable[P, T]) -> Callable[P, T]:
    @wraps(fn)
    def run(*args: P.args, **kwargs: P.kwargs) -> T:
        close_old_connections()
        try:
            return fn(*args, **kwargs)
        finally:
            close_old_connections()
    return run


class ChangeFeed:
    """Blogs' heads and ``Change`` rows, one small query per call."""

    @_job
    def blog_by_slug(self, slug: str) -> BlogHead | None:
        row = LiveBlog.objects.filter(slug=slug).values_list("id", "seq").first()
        return BlogHead(id=row[0], slug=slug, seq=row[1]) if row else None

    @_job
    def changes_after(self, blog_id: int, after: int, limit: int) -> list[ChangeRow]:
        rows = (Change.objects.filter(blog_id=blog_id, seq__gt=after).order_by("seq")
                .values_list("seq", "type", "data", "created_at", "subject")[:limit])
        return [ChangeRow(seq, type_, data, created.timestamp(), subject)
                for seq, type_, data, created, subject in rows]

    @_job
    def recent_changes(self, blog_id: int, count: int) -> list[ChangeRow]:
        rows = (Change.objects.filter(blog_id=blog_id).order_by("-seq")
                .values_list("seq", "type", "data", "created_at", "subject")[:count])
        return [ChangeRow(seq, type_, data, created.timestamp(), subject)
                for seq, type_, data, created, subject in reversed(rows)]

    @_job
    def latest_seqs(self, blog_ids: list[int]) -> dict[int, int]:
        return dict(LiveBlog.objects.filter(id__in=blog_ids).values_list("id", "seq"))
