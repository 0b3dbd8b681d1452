"""Sign-in rate limiting, on three keys at once (failures in the last 15 minutes):

- 5 for one username from one address: stops someone guessing one reporter's password, while the same reporter can
  still sign in from the newsroom's other machines and a shared office address does not lock out everyone at once;
- 20 from one address across all usernames: stops one machine trying a few common passwords on every account
  ("password spraying"), which the first key never sees because each username fails only once or twice;
- 20 for one username across all addresses: stops a guesser spreading attempts over many addresses (a botnet,
  rotating proxies), which the first key never sees because each address fails only once or twice.

The caps are four times the first one so a newsroom behind one NAT address, or a reporter mistyping on a phone and
a laptop, meets only the first. The third key lets someone keep an account locked by failing for it 20 times per
15 minutes from anywhere; that is the price of stopping distributed guessing, the message tells the person to ask an
admin, and every locked attempt is refused before the password is checked, so the lock reveals nothing.
"""

from __future__ import annotations

from datetime import timedelta

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from dateline.newsroom.models import LoginFailure

MAX_FAILURES = 5  # one username from one address
MAX_FAILURES_PER_IP = 20  # one address, any usernames
MAX_FAILURES_PER_USERNAME = 20  # one username, any addresses
WINDOW = timedelta(minutes=15)

# Why a sign-in is refused without checking the password; each is a SignInForm error message.
PAIR, ADDRESS, ACCOUNT = "locked_out", "address_locked_out", "account_locked_out"


def client_ip(request: HttpRequest) -> str | None:
    # REMOTE_ADDR only, never X-Forwarded-For here: whoever sends the request sets that header, so reading it would
    # let an attacker choose a fresh "address" for every guess. The server (server.py) puts the forwarded client
    # into REMOTE_ADDR only for requests from DATELINE_TRUSTED_PROXIES.
    return request.META.get("REMOTE_ADDR") or None


def _key(username: str) -> str:
    return username.lower()[:150]  # as stored: the column holds 150 characters


def _recent() -> QuerySet[LoginFailure]:
    return LoginFailure.objects.filter(created_at__gte=timezone.now() - WINDOW)


def lockout(username: str, ip: str | None) -> str | None:
    """Which limit this attempt is over (``PAIR``, ``ADDRESS`` or ``ACCOUNT``), or None if it may try.

    Without an address (a Unix-socket proxy that sets none) there is no per-address limit: every request would
    share the one "no address" bucket and a few typos would lock the whole newsroom out.
    """
    recent = _recent()
    name = _key(username)
    if recent.filter(username=name, ip=ip).count() >= MAX_FAILURES:
        return PAIR
    if ip is not None and recent.filter(ip=ip).count() >= MAX_FAILURES_PER_IP:
        return ADDRESS
    if recent.filter(username=name).count() >= MAX_FAILURES_PER_USERNAME:
        return ACCOUNT
    return None


def is_locked_out(username: str, ip: str | None) -> bool:
    return lockout(username, ip) is not None


def record_failure(username: str, ip: str | None) -> None:
    LoginFailure.objects.create(username=_key(username), ip=ip)
    # Old rows are useless; trimming here keeps the table small without a separate cleanup job.
    LoginFailure.objects.filter(created_at__lt=timezone.now() - WINDOW).delete()


def clear_failures(username: str, ip: str | None) -> None:
    """After a successful sign-in: forget this username's failures from this address (the person's own typos).

    Failures for the username from elsewhere, and for other usernames from here, are someone else's and stay.
    """
    LoginFailure.objects.filter(username=_key(username), ip=ip).delete()
