"""API tokens (``accounts.ApiToken``): only a hash is stored, the raw token authenticates, anything else is 401.

A leaked database must not leak usable tokens, so the row keeps the SHA-256 of the token and a short prefix to
recognise it by; the raw token is shown once, when it is issued (``dateline token create``).
"""

from __future__ import annotations

import hashlib

import pytest

from dateline.accounts.models import ApiToken, hash_token
from tests.api.conftest import ApiClient, assert_error


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """The shared ``actors`` fixture sets passwords; PBKDF2 at full strength costs ~1.5 s per test here."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def issued(reporter):
    return ApiToken.issue(reporter, name="laptop")


def test_only_the_hash_and_a_short_prefix_are_stored(issued):
    token, raw = issued
    stored = ApiToken.objects.get(pk=token.pk)
    assert stored.key_hash == hashlib.sha256(raw.encode()).hexdigest() == hash_token(raw)
    assert stored.prefix == raw[:10] and len(raw) > 40
    row = " ".join(str(value) for value in ApiToken.objects.filter(pk=token.pk).values().get().values())
    assert raw not in row and raw[10:] not in row  # no column holds the token or its secret part


def test_each_token_is_new(reporter):
    raws = {ApiToken.issue(reporter)[1] for _ in range(5)}
    assert len(raws) == 5 and all(raw.startswith("dl_") for raw in raws)


def test_the_raw_token_authenticates_its_user_and_nothing_else_does(issued, reporter):
    token, raw = issued
    assert ApiToken.authenticate(raw) == reporter
    assert ApiToken.authenticate(token.key_hash) is None  # the stored hash is not a credential
    assert ApiToken.authenticate(raw[:-1]) is None
    assert ApiToken.authenticate(raw + "x") is None


def test_a_token_authenticates_api_requests(issued, blog):
    _token, raw = issued
    r = ApiClient(raw).post(f"/blogs/{blog.slug}/posts", {"headline": "Filed with a token"})
    assert r.status_code == 201, r.data
    assert [a["username"] for a in r.data["authors"]] == ["reporter1"]


@pytest.mark.parametrize("header", ["Bearer dl_wrong-token", "Bearer ", "Token dl_x", "Bearer {hash}"])
def test_a_wrong_token_is_401_with_a_json_error(issued, blog, header):
    token, _raw = issued
    client = ApiClient()
    r = client.post(f"/blogs/{blog.slug}/posts", {"headline": "x"},
                    headers={"Authorization": header.format(hash=token.key_hash)})
    error = assert_error(r, 401, "not_authenticated")
    assert "token" in error["message"].lower() or "authorization" in error["message"].lower()
    assert r["WWW-Authenticate"].startswith("Bearer")
    assert not blog.posts.exists()


def test_a_deleted_token_stops_working(issued, blog):
    token, raw = issued
    token.delete()
    assert_error(ApiClient(raw).get(f"/blogs/{blog.slug}/posts"), 401, "not_authenticated")
