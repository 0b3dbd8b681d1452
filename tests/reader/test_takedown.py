"""A legal takedown (issue 11: 1) seen by an anonymous reader on every Django-served URL, not only the live edge's.

Replay (``/changes``, ``/events``) is proven in ``tests/live/test_compaction.py``. This checks the rest of what a
reader or a CDN can fetch: the page, its ``.json`` twin, the embed widget, the share page, the corrections log, the
three feeds, oEmbed and the public API reads. Each must say nothing of a deleted post, an edited-away sentence, old
key points or an old blog description — and each answer a CDN may keep must name the blog's purge tag, because
docs/live.md tells a newsroom that purging ``dateline-blog-<slug>`` drops the blog's cached pages and feeds.
"""

from __future__ import annotations

import pytest

from dateline.coverage import actions
from dateline.coverage.models import Post
from dateline.reader.stream import Cursor

LIBEL = "Councillor Brack took the money"
LIBEL_HEADLINE = "Brack named in bribery claim"
EDITED_AWAY = "the mayor was drunk"
KEY_POINT = "Brack resigns tonight"
DESCRIPTION = "Brack scandal latest"


def _public_urls(slug: str, post_ids: list[int]) -> list[str]:
    urls = [
        "/", f"/live/{slug}/", f"/live/{slug}.json", f"/live/{slug}/embed/", f"/live/{slug}/corrections/",
        f"/live/{slug}/feed.atom", f"/live/{slug}/feed.rss", f"/live/{slug}/feed.json",
        f"/oembed?url=http://testserver/live/{slug}/", "/api/v1/blogs", f"/api/v1/blogs/{slug}",
        f"/api/v1/blogs/{slug}/posts", f"/api/v1/blogs/{slug}/posts?status=deleted",
        f"/api/v1/blogs/{slug}/key-points",
    ]
    for pid in post_ids:
        urls += [f"/live/{slug}/posts/{pid}/", f"/live/{slug}/embed/?post={pid}",
                 f"/oembed?url=http://testserver/live/{slug}/posts/{pid}/", f"/api/v1/blogs/{slug}/posts/{pid}"]
    return urls


@pytest.fixture
def takedown(editor, blog):
    """A blog whose libellous post, sentence, key point and description were all taken back."""
    libel = actions.create_post(editor, blog, headline=LIBEL_HEADLINE, body=f"<p>{LIBEL}.</p>")
    edited = actions.create_post(editor, blog, headline="Council meeting", body=f"<p>At the meeting {EDITED_AWAY}."
                                 " The vote is at six.</p>")
    actions.create_post(editor, blog, headline="Bridge reopens", body="<p>Traffic flows again.</p>")
    actions.correct_post(editor, libel, body=f"<p>{LIBEL}, sources say.</p>", correction="Sourcing added.")
    actions.pin_post(editor, libel)
    actions.set_key_points(editor, blog, [{"text": KEY_POINT, "post_id": libel.pk}])
    actions.update_blog(editor, blog, description=DESCRIPTION)
    ids = [libel.pk, edited.pk]
    return blog, ids, libel, edited


def test_before_the_takedown_the_text_is_public(client, takedown):
    """The control: without it, the test below would pass on a blog that never showed the text."""
    blog, ids, _, _ = takedown
    text = "".join(client.get(url).content.decode() for url in _public_urls(blog.slug, ids))
    for phrase in (LIBEL, LIBEL_HEADLINE, EDITED_AWAY, KEY_POINT, DESCRIPTION):
        assert phrase in text, phrase


def test_after_the_takedown_no_public_url_carries_the_text(client, editor, takedown):
    blog, ids, libel, edited = takedown
    actions.correct_post(editor, edited, body="<p>The vote is at six.</p>", correction="A claim was removed.")
    actions.set_key_points(editor, blog, [{"text": "The vote is at six"}])
    actions.update_blog(editor, blog, description="Council coverage")
    actions.delete_post(editor, libel)
    for url in _public_urls(blog.slug, ids):
        response = client.get(url)
        assert response.status_code in (200, 401, 404), (url, response.status_code)
        body = response.content.decode()
        for phrase in (LIBEL, LIBEL_HEADLINE, EDITED_AWAY, KEY_POINT, DESCRIPTION):
            assert phrase not in body, f"{phrase!r} still served at {url}"
    assert "The vote is at six" in client.get(f"/live/{blog.slug}/").content.decode()


def test_every_answer_a_cdn_may_keep_names_the_blog_for_a_purge_by_tag(client, takedown):
    """docs/live.md: after a takedown, purge the tag ``dateline-blog-<slug>``. A cached page or feed that does not
    carry the tag survives that purge (for the page's s-maxage + stale-while-revalidate, a feed for as long as the
    CDN's heuristics keep it)."""
    blog, ids, _, _ = takedown
    tag = f"dateline-blog-{blog.slug}"
    untagged = []
    newest = Post.objects.filter(blog=blog, status="published").order_by("-published_at").first()
    more = f"/live/{blog.slug}/more?before={Cursor.after(newest).encode()}"  # "Load more": the older posts
    for url in [*_public_urls(blog.slug, ids), more]:
        if not url.startswith(f"/live/{blog.slug}"):
            continue  # the index lists every blog; oEmbed and the API are not the blog's pages
        response = client.get(url)
        assert response.status_code == 200, url
        if tag not in response.get("Surrogate-Key", "").split() or tag not in response.get("Cache-Tag", "").split(","):
            untagged.append(url)
    assert untagged == []
