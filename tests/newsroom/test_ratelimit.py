"""Sign-in limits across usernames (one address spraying) and across addresses (one account, many guessers)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from dateline.newsroom import ratelimit
from dateline.newsroom.models import LoginFailure


def _fail(username: str, ip: str, times: int = 1) -> None:
    for _ in range(times):
        ratelimit.record_failure(username, ip)


def _sign_in(ip: str, username: str, password: str):
    return Client(REMOTE_ADDR=ip).post("/newsroom/login/", {"username": username, "password": password})


def test_one_address_failing_for_many_usernames_is_locked_out_for_all(actors):
    """Password spraying: 20 failures from one address, each username only once, lock that address out —
    even for a username that never failed there, and even with the right password."""
    for i in range(ratelimit.MAX_FAILURES_PER_IP):
        response = _sign_in("10.0.0.9", f"guess{i}", "Summer2026!")
        assert "Please enter a correct username and password" in response.content.decode()
    response = _sign_in("10.0.0.9", "reporter1", "pw-reporter")
    assert response.status_code == 200
    assert "Too many failed sign-in attempts from your address" in response.content.decode()
    # The rest of the newsroom is not affected.
    assert _sign_in("10.0.0.10", "reporter1", "pw-reporter").status_code == 302


def test_one_username_failing_from_many_addresses_is_locked_out_everywhere(actors):
    """Distributed guessing: 20 failures for one username, each address only once, lock the account from every
    address (the right password included) while other accounts sign in as usual."""
    for i in range(ratelimit.MAX_FAILURES_PER_USERNAME):
        _sign_in(f"10.1.0.{i + 1}", "editor1", f"guess-{i}")
    response = _sign_in("10.2.0.1", "editor1", "pw-editor")
    assert response.status_code == 200
    assert "Too many failed sign-in attempts for this account." in response.content.decode()
    assert "ask an admin" in response.content.decode()
    assert _sign_in("10.2.0.1", "reporter1", "pw-reporter").status_code == 302


def test_below_each_cap_people_still_sign_in(actors):
    """One short of the address cap and one short of the account cap: the right password still works."""
    _fail("someone", "10.3.0.1", ratelimit.MAX_FAILURES_PER_IP - 1 - (ratelimit.MAX_FAILURES - 1))
    _fail("reporter1", "10.3.0.1", ratelimit.MAX_FAILURES - 1)  # the address is now one short of its cap
    for i in range(ratelimit.MAX_FAILURES_PER_USERNAME - 1 - (ratelimit.MAX_FAILURES - 1)):
        _fail("reporter1", f"10.4.0.{i + 1}")  # the account is now one short of its cap too
    assert ratelimit.lockout("reporter1", "10.3.0.1") is None
    assert _sign_in("10.3.0.1", "reporter1", "pw-reporter").status_code == 302


@pytest.mark.parametrize("spread", ["address", "username"])
def test_the_wider_locks_expire_after_the_window(actors, spread):
    if spread == "address":
        for i in range(ratelimit.MAX_FAILURES_PER_IP):
            _fail(f"user{i}", "10.5.0.1")
        args = ("reporter1", "10.5.0.1")
    else:
        for i in range(ratelimit.MAX_FAILURES_PER_USERNAME):
            _fail("reporter1", f"10.6.0.{i + 1}")
        args = ("Reporter1", "10.7.0.1")  # usernames are compared without case
    assert ratelimit.lockout(*args) == (ratelimit.ADDRESS if spread == "address" else ratelimit.ACCOUNT)
    LoginFailure.objects.update(created_at=timezone.now() - ratelimit.WINDOW - timedelta(seconds=1))
    assert ratelimit.lockout(*args) is None


def test_without_an_address_there_is_no_shared_no_address_bucket(actors):
    """Requests with no REMOTE_ADDR (a Unix-socket proxy) must not lock each other out by address."""
    for i in range(ratelimit.MAX_FAILURES_PER_IP):
        _fail(f"user{i}", None)
    assert ratelimit.lockout("reporter1", None) is None


def test_a_successful_sign_in_does_not_clear_other_peoples_failures(actors):
    """Signing in clears only this username's failures from this address: an attacker's failures for the same
    account from elsewhere still count towards the account cap."""
    _fail("reporter1", "10.8.0.1", 2)
    _fail("reporter1", "10.9.0.1", 3)
    assert _sign_in("10.8.0.1", "reporter1", "pw-reporter").status_code == 302
    assert list(LoginFailure.objects.values_list("ip", flat=True).distinct()) == ["10.9.0.1"]
