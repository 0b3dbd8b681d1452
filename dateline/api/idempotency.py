"""``Idempotency-Key``: a retried create answers the first response instead of creating a second post.

Keys are scoped to the user and kept ``DATELINE_IDEMPOTENCY_HOURS`` (24 h). The record is inserted *first*, inside
the same transaction as the action it guards: a concurrent twin of the request blocks on the unique (user, key)
index until the first commits (PostgreSQL), or waits for the write lock (SQLite, IMMEDIATE transactions), then sees
the record and replays it. So two identical requests racing each other still make one post.

Only successful answers are recorded: a request refused with a 4xx rolled back, record included, so the client may
fix it and retry under the same key.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.utils import timezone

from dateline.api.errors import ApiError
from dateline.api.models import IdempotencyRecord
from dateline.coverage.errors import Conflict, ValidationFailed

KEY_PATTERN = re.compile(r"^[\x21-\x7e]{1,200}$")  # visible ASCII, as Stripe and the IETF draft use


class _KeyTaken(Exception):
    pass


def fingerprint(method: str, path: str, data: Any) -> str:
    canonical = json.dumps([method, path, data], cls=DjangoJSONEncoder, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def run_once(user: Any, key: str | None, request_hash: str,
             run: Callable[[], tuple[int, Mapping[str, Any]]]) -> tuple[int, Mapping[str, Any], bool]:
    """Answer ``run()`` once per (user, key): returns (status, body, replayed)."""
    if key is None:
        return (*run(), False)
    if not KEY_PATTERN.match(key):
        raise ApiError(400, "Idempotency-Key must be 1 to 200 visible ASCII characters (a UUID is ideal).",
                       code="invalid_idempotency_key", fields={"Idempotency-Key": "Invalid."})
    cutoff = timezone.now() - timedelta(hours=settings.DATELINE_IDEMPOTENCY_HOURS)
    for _attempt in range(3):
        record = IdempotencyRecord.objects.filter(user=user, key=key, created_at__gte=cutoff).first()
        if record is not None:
            if record.request_hash != request_hash:
                raise ValidationFailed(
                    "This Idempotency-Key was already used for a different request. Use a new key for a new request.",
                    code="idempotency_key_reused", fields={"Idempotency-Key": "Already used for another request."},
                )
            if not record.status_code:  # a placeholder never commits without its answer; be safe anyway
                raise Conflict("A request with this Idempotency-Key is still running; retry shortly.",
                               code="idempotency_key_in_progress")
            return record.status_code, json.loads(record.response_body), True
        try:
            with transaction.atomic():
                IdempotencyRecord.objects.filter(user=user, created_at__lt=cutoff).delete()
                try:
                    with transaction.atomic():
                        record = IdempotencyRecord.objects.create(
                            user=user, key=key, request_hash=request_hash, status_code=0, response_body="")
                except IntegrityError:
                    raise _KeyTaken from None
                status, body = run()
                record.status_code = status
                record.response_body = json.dumps(body, cls=DjangoJSONEncoder, ensure_ascii=False)
                record.save(update_fields=["status_code", "response_body"])
            return status, body, False
        except _KeyTaken:
            continue  # a twin committed first: loop to read and replay its answer
    raise Conflict("A request with this Idempotency-Key is still running; retry shortly.",
                   code="idempotency_key_in_progress")
