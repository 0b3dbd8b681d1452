"""Cursor pagination of posts: newest first, every post exactly once, even while the blog keeps publishing."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from dateline.coverage import actions
from tests.api.conftest import assert_error


def _walk(client, url, limit, between_pages=None):
    ids, cursor, pages = [], None, 0
    while True:
        params = {"limit": limit, **({"before": cursor} if cursor else {})}
        r = client.get(url, params)
        assert r.status_code == 200
        ids += [p["id"] for p in r.data["items"]]
        pages += 1
        cursor = r.data["next"]
        if cursor is None:
            return ids, pages
        if between_pages:
            between_pages(pages)


def test_walking_all_pages_sees_every_post_once_newest_first(anon, blog, reporter):
    posts = [actions.create_post(reporter, blog, headline=f"Post {i}") for i in range(23)]
    ids, pages = _walk(anon, f"/blogs/{blog.slug}/posts", limit=5)
    assert ids == [p.pk for p in reversed(posts)]
    assert pages == 5


def test_default_limit_is_20(anon, blog, reporter):
    for i in range(21):
        actions.create_post(reporter, blog, headline=f"Post {i}")
    r = anon.get(f"/blogs/{blog.slug}/posts")
    assert len(r.data["items"]) == 20 and r.data["next"]


def test_posts_published_between_page_fetches_cause_no_duplicates_or_misses(anon, blog, reporter, editor):
    """New posts land above the cursor; approving an old draft puts it on top (published now): neither disturbs
    the pages still to come."""
    old = [actions.create_post(reporter, blog, headline=f"Old {i}") for i in range(12)]
    draft = actions.create_post(reporter, blog, headline="Old draft", status="draft")

    def publish_more(page_number):
        actions.create_post(reporter, blog, headline=f"During page {page_number}")
        if page_number == 1:
            actions.patch_post(editor, draft, status="published")

    ids, _ = _walk(anon, f"/blogs/{blog.slug}/posts", limit=4, between_pages=publish_more)
    assert len(ids) == len(set(ids))
    assert set(p.pk for p in old) <= set(ids)
    assert ids[-12:] == [p.pk for p in reversed(old)]


def test_posts_with_the_same_publication_time_are_split_by_id(anon, blog, reporter):
    """The id breaks ties: a cursor on the timestamp alone would skip or repeat posts published together."""
    moment = timezone.now() - timedelta(hours=1)
    same = [actions.create_post(reporter, blog, headline=f"Same {i}", now=moment) for i in range(7)]
    ids, _ = _walk(anon, f"/blogs/{blog.slug}/posts", limit=3)
    assert ids == [p.pk for p in reversed(same)]


def test_bad_cursor_and_limits(anon, blog):
    url = f"/blogs/{blog.slug}/posts"
    error = assert_error(anon.get(url, {"before": "not-a-cursor"}), 400, "invalid_cursor")
    assert "before" in error["fields"]
    assert_error(anon.get(url, {"before": "eyJ0IjoxfQ"}), 400, "invalid_cursor")  # valid base64 JSON, wrong shape
    assert "limit" in assert_error(anon.get(url, {"limit": 101}), 422)["fields"]
    assert "limit" in assert_error(anon.get(url, {"limit": 0}), 422)["fields"]
    assert "limit" in assert_error(anon.get(url, {"limit": "many"}), 422)["fields"]
    assert "status" in assert_error(anon.get(url, {"status": "secret"}), 422)["fields"]
    assert anon.get(url, {"limit": 100}).status_code == 200
