"""The API's own table: idempotency records (nothing else in Dateline needs them)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class IdempotencyRecord(models.Model):
    """The first answer to a request sent with an ``Idempotency-Key``, replayed for retries (kept 24 h).

    The table keeps the name it had when the model lived in coverage (``coverage_idempotencyrecord``)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    key = models.CharField(max_length=200)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    response_body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "coverage_idempotencyrecord"
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="unique_idempotency_key")]
