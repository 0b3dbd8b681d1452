"""Issue 11's smaller findings, through the public interface: each failed on the main of 2026-12-02.

Scheduled blogs listed to anyone, a stale DELETE of a deleted post answered 200, bidi overrides kept in headlines,
markup in RSS titles shown as markup by aggregators, and ``/oembed`` answering 500 for a malformed URL.
"""

from __future__ import annotations

import feedparser
import pytest

from tests.api.conftest import assert_error


@pytest.fixture
def posts_url(blog):
    return f"/blogs/{blog.slug}/posts"


def test_scheduled_blogs_are_listed_only_to_the_newsroom(editor, anon, as_reporter):
    from dateline.coverage import actions

    actions.create_blog(editor, title="Budget day (embargoed until 12:30)", status="scheduled")
    actions.create_blog(editor, title="Harbour fire")
    assert [b["title"] for b in anon.get("/blogs").data["items"]] == ["Harbour fire"]
    assert anon.get("/blogs", {"status": "scheduled"}).data["items"] == []
    titles = [b["title"] for b in as_reporter.get("/blogs", {"status": "scheduled"}).data["items"]]
    assert titles == ["Budget day (embargoed until 12:30)"]


def test_deleting_a_deleted_post_from_a_stale_copy_is_refused(as_editor, posts_url):
    created = as_editor.post(posts_url, {"headline": "Ferry cancelled", "body": "<p>All day.</p>"})
    url = f"{posts_url}/{created.data['id']}"
    deleted = as_editor.delete(url, headers={"If-Match": created["ETag"]})
    assert deleted.status_code == 200 and deleted.data["status"] == "deleted"
    # The first ETag is stale now: the post changed (it was deleted) since that copy was loaded.
    error = assert_error(as_editor.delete(url, headers={"If-Match": created["ETag"]}), 412, "precondition_failed")
    assert error["current"]["status"] == "deleted"
    # From the current version, deleting again is the same answer as the first time.
    again = as_editor.delete(url, headers={"If-Match": deleted["ETag"]})
    assert again.status_code == 200 and again.data["status"] == "deleted"


def test_bidi_controls_are_stripped_from_plain_text_fields(as_editor, posts_url):
    spoof = "Minister \u202eSNGISER\u202c says \u2067no\u2069"
    post = as_editor.post(posts_url, {"headline": spoof, "body": "<p>\u202eBody keeps its text</p>",
                                      "update_note": "\u202dnote"}).data
    assert post["headline"] == "Minister SNGISER says no"
    assert post["update_note"] == "note"
    assert "\u202e" not in post["headline"]
    # Marks that only hint a direction stay: Arabic and Hebrew headlines need them.
    marked = as_editor.post(posts_url, {"headline": "\u200fعاجل\u200f: update", "body": "<p>x</p>"}).data
    assert marked["headline"] == "\u200fعاجل\u200f: update"


def test_rss_titles_are_plain_text_to_aggregators(client, as_editor, blog, posts_url):
    """feedparser (like most aggregators) reads an RSS title as HTML: rendered, it must show the headline as
    written, not as bold markup or a script. Atom's titles are type="text" and carry it escaped once."""
    headline = "Rates <b>rise</b> & <script>x()</script> fall"
    as_editor.post(posts_url, {"headline": headline, "body": "<p>Figures.</p>"})
    rss = feedparser.parse(client.get(f"/live/{blog.slug}/feed.rss").content)
    assert not rss.bozo
    entry = rss.entries[0]
    assert entry.title_detail.type == "text/html"
    # As HTML, the title is the headline's text: nothing in it is a tag.
    assert "<b>" not in entry.title and "<script>" not in entry.title
    assert entry.title == "Rates &lt;b&gt;rise&lt;/b&gt; &amp; &lt;script&gt;x()&lt;/script&gt; fall"
    atom = feedparser.parse(client.get(f"/live/{blog.slug}/feed.atom").content)
    assert atom.entries[0].title == headline and atom.entries[0].title_detail.type == "text/plain"


@pytest.mark.parametrize("url", ["http://[::1", "http://[::1]:99999/live/x/", "http://exa mple.com]/"])
def test_oembed_answers_a_malformed_url_with_400(client, blog, url):
    response = client.get("/oembed", {"url": url})
    assert response.status_code in (400, 404), response.status_code
    assert response.json()["error"]["message"]
