"""Corrections on the reader side: at the end of the post, in the blog's corrections log, in JSON-LD and feeds."""

from __future__ import annotations

import re
from datetime import timedelta

import extruct
import feedparser
import pytest

from dateline.coverage import actions
from dateline.coverage.models import Post

from .conftest import DAY

NOTE = "An earlier version of this post misstated the river level as 4.2m; it was 2.4m."


def html_of(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


@pytest.fixture
def corrected(anatomy, editor):
    """The anatomy blog with a correction on "River breaks its banks" (09:42) and a later one on the pinned post."""
    posts = {p.headline: p for p in Post.objects.filter(blog=anatomy, status="published")}
    actions.patch_post(editor, posts["River breaks its banks"], now=DAY + timedelta(hours=3, minutes=42),
                      correction=NOTE)
    actions.patch_post(editor, posts["Dam spillway in use"], now=DAY + timedelta(hours=4),
                      correction="The spillway is at Tallow Moor, not Kelderby.")
    anatomy.refresh_from_db()
    return anatomy


def test_the_reader_page_shows_the_correction_at_the_end_of_the_post(client, corrected):
    page = html_of(client.get(f"/live/{corrected.slug}/"))
    article = re.search(r'<article[^>]*id="post-\d+"[^>]*aria-labelledby="[^"]*"[^>]*>(?:(?!</article>).)*'
                        r'River breaks its banks.*?</article>', page, re.S)
    assert article, "the corrected post is on the page"
    fragment = article.group(0)
    assert ('<p class="post__correction"><strong>Correction</strong> '
            '(<time datetime="2026-11-24T09:42:00+00:00">09:42</time>): ') in fragment
    assert fragment.index("post__body") < fragment.index("post__correction") < fragment.index("post__footer")


def test_the_reader_page_links_to_the_corrections_log(client, anatomy):
    page = html_of(client.get(f"/live/{anatomy.slug}/"))
    aside = page.split('aria-label="About this coverage"', 1)[1]
    assert f'<a href="/live/{anatomy.slug}/corrections/">Corrections</a>' in aside


def test_the_corrections_log_lists_corrections_newest_first(client, corrected):
    response = client.get(f"/live/{corrected.slug}/corrections/")
    page = html_of(response)
    assert "<title>Corrections: November 24, 2026 Wrenford floods | The Dateline Courier</title>" in page
    assert "<h1" in page and ">Corrections</h1>" in page
    main = page.split("<main", 1)[1]
    assert main.index("Tallow Moor, not Kelderby") < main.index("4.2m; it was 2.4m"), "newest first"
    river = Post.objects.get(blog=corrected, headline="River breaks its banks")
    assert f'<a href="/live/{corrected.slug}/posts/{river.pk}/">River breaks its banks</a>' in main
    assert '<time datetime="2026-11-24T09:42:00+00:00">24 Nov, 09:42 GMT</time>' in main
    assert "No corrections have been made" not in main
    assert f'href="/live/{corrected.slug}/"' in main, "a way back to the coverage"
    assert response["Cache-Control"].startswith("public")
    # CSP as on every page, and nothing inline for it to refuse
    assert "script-src" in response["Content-Security-Policy"]
    assert "<script" not in page and "<style" not in page and " style=" not in page


def test_the_corrections_log_says_so_when_there_are_none(client, anatomy):
    page = html_of(client.get(f"/live/{anatomy.slug}/corrections/"))
    assert "No corrections have been made to this coverage." in page
    assert "corrections-log__item" not in page


def test_corrections_of_deleted_posts_leave_the_log_and_come_back_with_a_restore(client, corrected, editor):
    river = Post.objects.get(blog=corrected, headline="River breaks its banks")
    actions.delete_post(editor, river)
    page = html_of(client.get(f"/live/{corrected.slug}/corrections/"))
    assert "4.2m; it was 2.4m" not in page and "River breaks its banks" not in page
    assert "Tallow Moor, not Kelderby" in page
    actions.restore_post(editor, river)
    assert "4.2m; it was 2.4m" in html_of(client.get(f"/live/{corrected.slug}/corrections/"))


def test_the_corrections_log_escapes_notes_and_headlines(client, editor, reporter, blog):
    post = actions.create_post(reporter, blog, headline="<img src=x onerror=alert(1)>")
    actions.patch_post(editor, post, correction="<script>alert(1)</script> was wrong")
    page = html_of(client.get(f"/live/{blog.slug}/corrections/"))
    assert "<script>alert" not in page and "&lt;script&gt;alert(1)&lt;/script&gt; was wrong" in page
    assert "<img src=x" not in page


def test_the_corrections_log_of_an_unknown_blog_is_404(client, db):
    assert client.get("/live/no-such-blog/corrections/").status_code == 404


def _updates(client, blog) -> list[dict]:
    response = client.get(f"/live/{blog.slug}/")
    data = extruct.extract(response.content.decode(), base_url="http://testserver/", syntaxes=["json-ld"])["json-ld"]
    return next(d for d in data if d["@type"] == "LiveBlogPosting")["liveBlogUpdate"]


def test_json_ld_updates_carry_a_correction_comment(client, corrected):
    updates = {u["headline"]: u for u in _updates(client, corrected)}
    assert updates["River breaks its banks"]["correction"] == [
        {"@type": "CorrectionComment", "text": NOTE, "datePublished": "2026-11-24T09:42:00+00:00"}]
    assert updates["Dam spillway in use"]["correction"][0]["text"] == "The spillway is at Tallow Moor, not Kelderby."
    assert "correction" not in updates["Here's what you should know"], "only posts that have corrections"
    river = Post.objects.get(blog=corrected, headline="River breaks its banks")
    share = html_of(client.get(f"/live/{corrected.slug}/posts/{river.pk}/"))
    posting = extruct.extract(share, base_url="http://testserver/", syntaxes=["json-ld"])["json-ld"][0]
    assert posting["correction"][0]["text"] == NOTE
    assert NOTE in share, "the share page shows the post's fragment, correction included"


def test_feeds_carry_the_correction(client, corrected):
    atom = feedparser.parse(client.get(f"/live/{corrected.slug}/feed.atom").content)
    river = next(e for e in atom.entries if e.title == "River breaks its banks")
    assert "Correction:" in river.summary and "4.2m; it was 2.4m" in river.summary
    feed = client.get(f"/live/{corrected.slug}/feed.json").json()
    item = next(i for i in feed["items"] if i["title"] == "River breaks its banks")
    assert f"Correction: {NOTE}" in item["content_text"]
