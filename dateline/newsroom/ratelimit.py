"""Sign-in rate limiting: after 5 failed attempts for one username from one address, wait 15 minutes.

Keyed on username *and* address so an attacker guessing one reporter's password is stopped, while the same
reporter can still sign in from the newsroom's other machines, and a shared office address does not lock out
everyone at once.
"""

from __future__ import annotations

from datetime import timedelta

from django.http import HttpRequest
from django.utils import timezone

from dateline.newsroom.models import LoginFailure

MAX_FAILURES = 5
WINDOW = timedelta(minutes=15)


def client_ip(request: HttpRequest) -> str | None:
    # REMOTE_ADDR only: X-Forwarded-For is set by whoever sends the request, so trusting it would let an attacker
    # choose a fresh "address" for every guess. Behind a proxy, have the proxy set REMOTE_ADDR.
    return request.META.get("REMOTE_ADDR") or None


def _recent(username: str, ip: str | None):
    since = timezone.now() - WINDOW
    return LoginFailure.objects.filter(username=username.lower(), ip=ip, created_at__gte=since)


def is_locked_out(username: str, ip: str | None) -> bool:
    return _recent(username, ip).count() >= MAX_FAILURES


def record_failure(username: str, ip: str | None) -> None:
    LoginFailure.objects.create(username=username.lower()[:150], ip=ip)
    # Old rows are useless; trimming here keeps the table small without a separate cleanup job.
    LoginFailure.objects.filter(created_at__lt=timezone.now() - WINDOW).delete()


def clear_failures(username: str, ip: str | None) -> None:
    LoginFailure.objects.filter(username=username.lower(), ip=ip).delete()
