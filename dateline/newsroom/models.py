"""The newsroom's own bookkeeping (not content: coverage.actions writes that)."""

from __future__ import annotations

from django.db import models


class LoginFailure(models.Model):
    """One failed sign-in. Kept in the database, not the cache, so the limit holds across processes and restarts."""

    username = models.CharField(max_length=150)
    ip = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        # (username, ip, …) serves the per-pair and per-username counts; (ip, …) the per-address one.
        indexes = [models.Index(fields=["username", "ip", "created_at"]),
                   models.Index(fields=["ip", "created_at"], name="newsroom_lo_ip_created_idx")]
