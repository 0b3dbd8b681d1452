"""People: accounts, roles and activation. Admins only (or the operator, at the command line); every change
leaves an audit entry, so the People page, the CLI and any future API behave alike."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from dateline.accounts.models import Role, User
from dateline.coverage import permissions as perm
from dateline.coverage.actions.core import audit
from dateline.coverage.errors import Forbidden, ValidationFailed
from dateline.coverage.limits import MAX_DISPLAY_NAME, MAX_PASSWORD, MAX_USERNAME, MIN_PASSWORD
from dateline.coverage.permissions import Actor
from dateline.coverage.validation import is_encodable, text


def _audit(actor: Actor | None, action: str, user: User, **detail: Any) -> None:
    audit(actor, action, user=user.username, **detail)


def _role(fields: dict[str, str], value: Any) -> str:
    if value not in Role.values:
        fields["role"] = "One of: " + ", ".join(Role.values) + "."
        return ""
    return str(value)


def _staff_flags(user: User) -> None:
    # As ``dateline user create`` does: admins are Django staff/superusers, nobody else is.
    user.is_staff = user.is_superuser = user.role == Role.ADMIN


def _not_yourself(actor: Actor, user: User, what: str) -> None:
    """An admin cannot demote or deactivate themselves: with that rule there is always one active admin left."""
    if user.pk == actor.pk:
        raise Forbidden(f"You cannot {what} yourself; ask another admin.", code="self_change")


def create_user(actor: Actor, *, username: Any, role: Any, password: Any, display_name: Any = "") -> User:
    """A new account with a role and a password (it can sign in at once)."""
    perm.require_admin(actor, "create accounts")
    return _create_user(actor, username=username, role=role, password=password, display_name=display_name)


def create_user_by_operator(*, username: Any, role: Any, password: str | None, display_name: Any = "") -> User:
    """``dateline user create``: whoever runs the server's command line (how the first admin comes to exist).

    The same checks as the people page; without a password the account has none usable (API tokens only).
    The audit entry has no actor: the operator is not an account.
    """
    return _create_user(None, username=username, role=role, password=password, display_name=display_name)


def _create_user(actor: Actor | None, *, username: Any, role: Any, password: Any, display_name: Any) -> User:
    fields: dict[str, str] = {}
    name = text(fields, "username", username, MAX_USERNAME, required=True)
    if "username" not in fields:
        try:
            User.username_validator(name)
        except ValidationError:
            fields["username"] = "Letters, digits and @ . + - _ only."
        # Case-insensitive: "Ada" and "ada" would be two people nobody can tell apart in a byline menu.
        if User.objects.filter(username__iexact=name).exists():
            fields["username"] = "Someone already has this username."
    clean_role = _role(fields, role)
    shown = text(fields, "display_name", display_name, MAX_DISPLAY_NAME)
    if password is None and actor is None:
        pass  # the operator's token-only account
    elif not isinstance(password, str) or not is_encodable(password):
        fields["password"] = "Must be a string of ordinary characters."  # noqa: S105 (a message, not a secret)
    elif not (MIN_PASSWORD <= len(password) <= MAX_PASSWORD):
        fields["password"] = f"Between {MIN_PASSWORD} and {MAX_PASSWORD} characters."
    elif not fields:
        try:  # whatever AUTH_PASSWORD_VALIDATORS the site configured (similar to the username, common passwords …)
            validate_password(password, User(username=name, display_name=shown))
        except ValidationError as error:
            fields["password"] = " ".join(error.messages)
    if fields:
        raise ValidationFailed("The account was not created.", fields=fields)
    with transaction.atomic():
        user = User(username=name, role=clean_role, display_name=shown)
        _staff_flags(user)
        user.set_password(password)  # None: an unusable password
        user.save()
        _audit(actor, "user.create", user, role=clean_role)
    return user


def set_role(actor: Actor, user: User, role: Any) -> User:
    """Change someone's role. Takes effect on their next request (permissions are read from the row each time)."""
    perm.require_admin(actor, "change roles")
    fields: dict[str, str] = {}
    clean_role = _role(fields, role)
    if fields:
        raise ValidationFailed("The role was not changed.", fields=fields)
    _not_yourself(actor, user, "change the role of")
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        if user.role == clean_role:
            return user
        old = user.role
        user.role = clean_role
        _staff_flags(user)
        user.save(update_fields=["role", "is_staff", "is_superuser"])
        _audit(actor, "user.role", user, old=old, new=clean_role)
    return user


def set_active(actor: Actor, user: User, active: bool) -> User:
    """Deactivate (or reactivate) an account. Nothing is deleted: bylines, revisions and the audit log keep the
    person. A deactivated user is signed out on their next request, their API tokens stop working, and posts they
    scheduled are cancelled rather than published in their name (``permissions.role_of``)."""
    perm.require_admin(actor, "deactivate accounts")
    _not_yourself(actor, user, "deactivate")
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        if user.is_active == active:
            return user
        user.is_active = active
        user.save(update_fields=["is_active"])
        _audit(actor, "user.reactivate" if active else "user.deactivate", user)
    return user


def ensure_user(*, username: str, role: str, display_name: str = "") -> User:
    """The operator's way to have an account with this role and byline (the demo's reporters; bylines an import
    brings): created without a password when missing (it cannot sign in until an admin sets one), brought to
    ``role`` and ``display_name`` when it exists. Audited when anything changes; nothing is written otherwise."""
    user = User.objects.filter(username=username).first()
    if user is None:
        return _create_user(None, username=username, role=role, password=None, display_name=display_name)
    fields: dict[str, str] = {}
    clean_role = _role(fields, role)
    shown = text(fields, "display_name", display_name, MAX_DISPLAY_NAME)
    if fields:
        raise ValidationFailed("The account was not changed.", fields=fields)
    if (user.role, user.display_name) == (clean_role, shown):
        return user
    with transaction.atomic():
        old = {"role": user.role, "display_name": user.display_name}
        user.role, user.display_name = clean_role, shown
        _staff_flags(user)
        user.save(update_fields=["role", "display_name", "is_staff", "is_superuser"])
        _audit(None, "user.update", user, old=old, new={"role": clean_role, "display_name": shown})
    return user
