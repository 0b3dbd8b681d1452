"""People and their credentials: a user has one newsroom role; API tokens are stored hashed."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone

# "Last used" is for an operator deciding which token to revoke: a minute is precise enough, and it keeps the write
# off almost every API request.
LAST_USED_RESOLUTION = timedelta(minutes=1)
# Field limits of people's records (coverage/limits.py gathers them with the rest, for forms and the browser).
MAX_USERNAME = 150  # AbstractUser.username's
MAX_DISPLAY_NAME = 150
MAX_TOKEN_LABEL = 100


class Role(models.TextChoices):
    ADMIN = "admin", "Admin"
    EDITOR = "editor", "Editor"
    REPORTER = "reporter", "Reporter"
    CONTRIBUTOR = "contributor", "Contributor"


class User(AbstractUser):
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.CONTRIBUTOR)
    display_name = models.CharField(max_length=MAX_DISPLAY_NAME, blank=True)

    @property
    def byline(self) -> str:
        return self.display_name or self.get_full_name() or self.username


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A bearer token. Only its SHA-256 is kept: a leaked database does not leak usable tokens."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=MAX_TOKEN_LABEL, blank=True)
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=12)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    @classmethod
    def issue(cls, user: User, name: str = "") -> tuple[ApiToken, str]:
        raw = "dl_" + secrets.token_urlsafe(32)
        token = cls.objects.create(user=user, name=name, key_hash=hash_token(raw), prefix=raw[:10])
        return token, raw

    @classmethod
    def authenticate(cls, raw: str) -> User | None:
        token = cls.objects.select_related("user").filter(key_hash=hash_token(raw)).first()
        if token is None or not token.user.is_active:
            return None
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
            cls.objects.filter(pk=token.pk).update(last_used_at=now)  # at most one write a minute per token
        return token.user
