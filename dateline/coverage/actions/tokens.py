"""API tokens: issued to a user (shown once, stored hashed) and revoked one at a time; both audited."""

from __future__ import annotations

from django.db import transaction

from dateline.accounts.models import ApiToken, User
from dateline.coverage import permissions as perm
from dateline.coverage.actions.core import audit
from dateline.coverage.errors import ValidationFailed
from dateline.coverage.limits import MAX_TOKEN_LABEL
from dateline.coverage.permissions import Actor


def issue_token(actor: Actor | None, user: User, *, label: str = "") -> tuple[ApiToken, str]:
    """A new token for ``user``: the row and the raw token, which is never stored and cannot be shown again.

    ``actor`` None is the operator (``dateline token create``); an account must be an admin or the user themself.
    """
    if actor is not None and actor.pk != user.pk:
        perm.require_admin(actor, "issue API tokens for others")
    if len(label) > MAX_TOKEN_LABEL:
        raise ValidationFailed(f"A token's label is at most {MAX_TOKEN_LABEL} characters.",
                               fields={"label": f"At most {MAX_TOKEN_LABEL} characters."})
    with transaction.atomic():
        token, raw = ApiToken.issue(user, name=label)
        audit(actor, "token.create", user=user.username, token=token.prefix, label=token.name)
    return token, raw


def revoke_token(actor: Actor | None, token: ApiToken) -> None:
    """Revoke one token (a leaked or retired one) without deactivating its user."""
    if actor is not None and actor.pk != token.user_id:
        perm.require_admin(actor, "revoke others' API tokens")
    with transaction.atomic():
        audit(actor, "token.revoke", user=token.user.username, token=token.prefix, label=token.name)
        token.delete()
