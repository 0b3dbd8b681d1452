"""The audit log's one table.

It points at blogs and posts by the lazy references ``"coverage.LiveBlog"``/``"coverage.Post"``: the audit log sits
below coverage in the package graph (coverage's actions write it), so it names coverage's tables without importing
its code. The table keeps the name it had when the model lived in coverage (``coverage_auditentry``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class AuditEntry(models.Model):
    """Who did what, when: every action leaves one entry, including ones readers never see (drafts)."""

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    action = models.CharField(max_length=40)
    blog = models.ForeignKey("coverage.LiveBlog", null=True, blank=True, on_delete=models.CASCADE)
    post = models.ForeignKey("coverage.Post", null=True, blank=True, on_delete=models.CASCADE)
    detail = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "coverage_auditentry"
        ordering = ["-created_at"]
