"""Keyset ("cursor") pagination, newest first.

A cursor names the last item of a page by its sort key *and* id, e.g. (published_at, id), and the next page is
"strictly older than that". Offsets would shift when posts are published between two page fetches (a reader paging
back through a busy blog would see duplicates); a key does not move, and the id breaks ties between posts published
in the same microsecond. The cursor is opaque to clients (base64 of a small JSON) so its content may change.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

from django.db.models import Model, Q, QuerySet

from dateline.api.errors import ApiError, load_json
from dateline.coverage.validation import is_id

M = TypeVar("M", bound=Model)
DEFAULT_LIMIT = 20
MAX_LIMIT = 100


def encode_cursor(value: datetime | None, pk: int) -> str:
    raw = json.dumps({"t": value.isoformat() if value else None, "id": pk}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime | None, int]:
    try:
        raw = load_json(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        pk = raw["id"]
        value = datetime.fromisoformat(raw["t"]) if raw["t"] is not None else None
        if not is_id(pk) or (value is not None and value.tzinfo is None):
            raise ValueError(pk)
        if value is not None:
            value = value.astimezone(UTC)  # a forged offset near datetime's limits overflows here, not in the query
    except (ValueError, TypeError, KeyError, OverflowError, binascii.Error, UnicodeDecodeError):
        raise ApiError(400, "Not a cursor this API gave out: pass the 'next' value of the previous page.",
                       code="invalid_cursor", fields={"before": "Invalid cursor."}) from None
    return value, pk


def page(queryset: QuerySet[M], *, key: str | None, before: str | None, limit: int) -> tuple[Sequence[M], str | None]:
    """One page of ``queryset`` newest first by (``key``, id) — or by id alone when ``key`` is None."""
    queryset = queryset.order_by(f"-{key}", "-pk") if key else queryset.order_by("-pk")
    if before:
        value, pk = decode_cursor(before)
        if key and value is not None:
            queryset = queryset.filter(Q(**{f"{key}__lt": value}) | Q(**{key: value, "pk__lt": pk}))
        else:
            queryset = queryset.filter(pk__lt=pk)
    rows = list(queryset[: limit + 1])
    items, more = rows[:limit], len(rows) > limit
    if not more:
        return items, None
    last: Any = items[-1]
    return items, encode_cursor(getattr(last, key) if key else None, last.pk)
