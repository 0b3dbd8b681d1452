"""Newsroom fixtures: a signed-in test client per role, and images to upload."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from PIL import Image


@pytest.fixture
def signed_in(actors):
    """``signed_in("reporter")`` is a test client with that role's user signed in."""

    def make(role: str, **client_kwargs) -> Client:
        client = Client(**client_kwargs)
        client.force_login(actors[role])
        return client

    return make


def kp_version(blog) -> str:
    """The key points version the newsroom's form carries, as a browser that just opened it would send."""
    from dateline.coverage.serializers import key_points_data, key_points_version

    return key_points_version(key_points_data(blog))


def png_bytes(width: int = 40, height: int = 30) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 40, 40)).save(out, "PNG")
    return out.getvalue()


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _no_presence_left_by_other_tests():
    """Presence lives in the cache for 60 s, keyed by post id, and each test's database numbers posts from 1 again:
    without this, "being edited by" from an earlier test shows up on this test's post 1 (an order-dependent failure
    of test_the_edit_page_refuses_someone_who_may_not_edit_the_post after test_editing)."""
    from django.core.cache import cache

    from dateline.newsroom import presence

    cache.delete_many([presence._key(post_id) for post_id in range(1, 1001)])
