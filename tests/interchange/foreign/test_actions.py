"""The two small additions the importer needed from the write core: a post's source "modified" time, and media
kept as a link to its URL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from dateline.coverage import actions
from dateline.coverage.errors import ValidationFailed

pytestmark = pytest.mark.django_db

PUBLISHED = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def test_create_post_keeps_a_given_modified_time(editor, blog):
    post = actions.create_post(editor, blog, now=PUBLISHED, modified=PUBLISHED + timedelta(minutes=20),
                               headline="Gauge readings")
    assert post.published_at == post.created_at == PUBLISHED
    assert post.updated_at == PUBLISHED + timedelta(minutes=20)


def test_a_modified_time_before_publication_is_not_kept(editor, blog):
    post = actions.create_post(editor, blog, now=PUBLISHED, modified=PUBLISHED - timedelta(days=1), headline="x")
    assert post.updated_at == PUBLISHED
    assert actions.create_post(editor, blog, now=PUBLISHED, headline="y").updated_at == PUBLISHED


def test_link_media_is_a_link_card_and_fetches_nothing(editor, blog, monkeypatch):
    import urllib.request

    monkeypatch.setattr(urllib.request, "urlopen", lambda *a, **k: pytest.fail("fetched"))
    media = actions.link_media(editor, url="https://img.example/gauge.jpg", title="The gauge", caption="At 2.1 m",
                               credit="Valley Desk")
    assert (media.kind, media.provider, media.frame_src, media.file.name or "") == ("embed", "img.example", "", "")
    post = actions.create_post(editor, blog, headline="Gauge", media=[media.pk])
    assert '<a class="embed__card" href="https://img.example/gauge.jpg"' in post.html
    assert "<img" not in post.html  # readers' browsers load nothing from the other site


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:image/png;base64,AA", "/relative.jpg", "https://",
                                 "http://[::1"])
def test_link_media_takes_only_http_urls(editor, url):
    with pytest.raises(ValidationFailed):
        actions.link_media(editor, url=url)


def test_link_media_needs_a_newsroom_account():
    from django.contrib.auth.models import AnonymousUser

    from dateline.coverage.errors import NotAuthenticated

    with pytest.raises(NotAuthenticated):
        actions.link_media(AnonymousUser(), url="https://img.example/a.jpg")
