"""Writing the audit log: one function, called by the actions inside their transaction."""

from __future__ import annotations

import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder

from dateline.accounts.models import User
from dateline.audit.models import AuditEntry


def record(actor: User | None, action: str, *, blog: Any = None, post: Any = None, **detail: Any) -> AuditEntry:
    """One entry. ``actor`` None is the operator (command line, scheduler, demo loader): not an account.

    ``detail`` goes through JSON once here, so dates and other values are stored as the log shows them.
    """
    return AuditEntry.objects.create(
        actor=actor, action=action, blog=blog, post=post,
        detail=json.loads(json.dumps(detail, cls=DjangoJSONEncoder)),
    )
