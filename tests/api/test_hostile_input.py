"""Input that used to reach the database or a feed serialiser raw: each is a clear 4xx (or cleaned), never a 500."""

from __future__ import annotations

import base64
import json

import feedparser
import pytest

from dateline.coverage.models import Change
from tests.api.conftest import assert_error


@pytest.fixture
def posts_url(blog):
    return f"/blogs/{blog.slug}/posts"


def test_control_characters_are_stripped_and_feeds_stay_valid(as_reporter, client, blog, posts_url):
    """A vertical tab pasted from Word (or a NUL) is removed: XML feeds cannot carry it, PostgreSQL refuses NUL."""
    r = as_reporter.post(posts_url, {"headline": "Line\u000bbreak\u0000 from Word", "body": "<p>a\u000bb\u0007</p>",
                                     "tags": ["flood\u000c"]})
    assert r.status_code == 201, r.data
    assert r.data["headline"] == "Linebreak from Word"
    assert r.data["body"] == "<p>ab</p>"
    assert r.data["tags"] == ["flood"]
    for feed in ("feed.atom", "feed.rss"):
        response = client.get(f"/live/{blog.slug}/{feed}")
        assert response.status_code == 200
        parsed = feedparser.parse(response.content)
        assert not parsed.bozo, parsed.bozo_exception
        assert parsed.entries[0].title == "Linebreak from Word"


def test_lone_surrogates_are_refused_with_a_field_error(as_reporter, posts_url):
    raw = '{"headline": "x", "body": "\\ud800"}'  # valid JSON, not encodable text
    r = as_reporter.post(posts_url, raw=raw)
    error = assert_error(r, 422, "validation_error")
    assert "body" in error["fields"]


@pytest.mark.parametrize("field", ["authors", "media"])
def test_ids_beyond_a_database_integer_are_refused(as_editor, posts_url, field):
    r = as_editor.post(posts_url, raw=json.dumps({"headline": "x", field: [10**22]}))
    error = assert_error(r, 422)
    assert field in error.get("fields", {}) or any(field in k for k in error.get("fields", {}))


def test_a_forged_cursor_near_the_end_of_time_is_400(anon, posts_url):
    cursor = base64.urlsafe_b64encode(b'{"t":"9999-12-31T23:59:59-23:00","id":35}').decode().rstrip("=")
    assert_error(anon.get(posts_url, {"before": cursor}), 400, "invalid_cursor")


def test_reordering_authors_is_one_change_and_the_byline_keeps_the_order(as_editor, actors, posts_url, blog):
    """Bylines keep the newsroom's order; sending the same order again changes nothing."""
    r = as_editor.post(posts_url, {"headline": "Joint report", "authors": ["reporter1", "editor1"]})
    assert [a["username"] for a in r.data["authors"]] == ["reporter1", "editor1"]
    url, etag = f"{posts_url}/{r.data['id']}", r["ETag"]
    before = Change.objects.filter(blog=blog).count()
    same = as_editor.patch(url, {"authors": ["reporter1", "editor1"]}, headers={"If-Match": etag})
    assert same.status_code == 200 and same["ETag"] == etag
    assert Change.objects.filter(blog=blog).count() == before
    swapped = as_editor.patch(url, {"authors": ["editor1", "reporter1"]}, headers={"If-Match": etag})
    assert [a["username"] for a in swapped.data["authors"]] == ["editor1", "reporter1"]
    assert list(Change.objects.filter(blog=blog).values_list("type", flat=True))[before:] == ["post.updated"]
    from dateline.coverage.models import Post

    html = Post.objects.get(pk=r.data["id"]).html
    assert html.index("Editor One") < html.index("Reporter One")  # the rendered byline follows the same order


def test_reader_numbers_that_are_digits_but_not_ascii(client, blog):
    """'²'.isdigit() is true but int('²') fails: such query values are ignored or 404, never a 500."""
    assert client.get(f"/live/{blog.slug}/embed/?post=%C2%B2").status_code == 404
    url = f"http://testserver/live/{blog.slug}/"
    assert client.get("/oembed", {"url": url, "maxwidth": "²"}).status_code == 200


def test_the_embed_snippet_escapes_the_blog_title(client, editor):
    from dateline.coverage import actions

    blog = actions.create_blog(editor, title='Storm "Corran" <script>alert(1)</script>')
    page = client.get(f"/live/{blog.slug}/").content.decode()
    assert "<script>alert(1)</script>" not in page
    assert 'title="Storm "Corran"' not in page


def test_author_lists_with_unstorable_names_or_thousands_of_entries_are_422(as_editor, posts_url):
    assert_error(as_editor.post(posts_url, raw='{"headline": "x", "authors": ["\\ud800"]}'), 422)
    many = json.dumps({"headline": "x", "authors": [f"user{i}" for i in range(5000)]})
    error = assert_error(as_editor.post(posts_url, raw=many), 422)
    assert "authors" in error["fields"]
