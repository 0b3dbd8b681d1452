"""Helpers for the foreign-format import tests: fixtures are fictional files we wrote in each format."""

from __future__ import annotations

from datetime import UTC
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


def reader_posts(slug):
    """The blog's published posts as readers see them (newest first), each as a plain dict."""
    from dateline.coverage.models import Post
    from dateline.coverage.serializers import post_authors, post_media

    posts = Post.objects.filter(blog__slug=slug, status=Post.Status.PUBLISHED).order_by("-published_at", "-pk")
    return [{
        "headline": p.headline,
        "body": p.body,
        "html": p.html,
        "published": p.published_at.astimezone(UTC).isoformat(),
        "updated": p.updated_at.astimezone(UTC).isoformat(),
        "authors": [u.username for u in post_authors(p)],
        "bylines": [u.byline for u in post_authors(p)],
        "media": [(m.kind, m.url, m.title, m.caption, m.credit) for m in post_media(p)],
    } for p in posts]


@pytest.fixture
def fixture_path():
    return lambda name: FIXTURES / name
