"""The reader page and friends, server-rendered and complete without JavaScript."""

from __future__ import annotations

import re

import pytest
from django.test import override_settings

from dateline.coverage import actions
from dateline.coverage.models import LiveBlog, Post, Story

from .conftest import DAY


def html_of(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_reader_page_has_every_part_of_the_anatomy(client, anatomy):
    """Dated title, lead video with duration and credit, key points, post count, pinned first, posts newest first."""
    page = html_of(client.get(f"/live/{anatomy.slug}/"))
    assert "<title>November 24, 2026 Wrenford floods | The Dateline Courier</title>" in page
    assert re.search(r"<h1[^>]*>.*November 24, 2026.*Wrenford floods</h1>", page, re.S)
    assert "Drone footage of the river" in page and "04:52" in page and "Sam Okonjo/The Dateline Courier" in page
    assert 'id="key-points"' in page and "Record flood:" in page and 'href="#post-' in page
    assert "How to help:" in page and 'href="https://example.org/help"' in page
    assert ">3 Posts<" in page
    assert 'class="live-badge"' in page
    body = page.split("<main", 1)[1]
    pinned_at = body.index("Dam spillway in use")
    know_at = body.index("Here&#x27;s what you should know")
    banks_at = body.index("River breaks its banks")
    assert pinned_at < know_at < banks_at, "pinned first, then newest first"
    assert body.count(">Dam spillway in use</h2>") == 1, "a pinned post is not shown twice"
    # the post parts
    assert "<strong>Evacuations:</strong>" in page and "<strong>Some background:</strong>" in page
    assert "cannot independently verify" in page and "This post has been updated" in page
    assert "Residents wade through" in page and "Ana Ruiz/Courier" in page and 'alt="Flooded street"' in page
    assert "Keep reading here" in page
    assert "By <span class=\"post__author\">Reporter One</span>" in page


def test_times_are_shown_in_the_blogs_zone(client, editor, reporter):
    """Absolute times use the blog's time zone (the reader's relative time is added by the browser)."""
    blog = actions.create_blog(editor, title="Summer fair", time_zone="America/New_York",
                               coverage_start=DAY.replace(month=7))
    actions.create_post(reporter, blog, now=DAY.replace(month=7, hour=14), headline="Gates open")
    page = html_of(client.get(f"/live/{blog.slug}/"))
    assert "10:00 <span class=\"post__zone\">EDT</span>" in page
    assert "<title>July 24, 2026 Summer fair" in page


def test_page_embeds_its_seq_and_live_endpoints(client, anatomy):
    """The browser resumes from the seq the page was rendered at."""
    page = html_of(client.get(f"/live/{anatomy.slug}/"))
    assert f'data-seq="{anatomy.seq}"' in page and 'data-live="true"' in page
    assert re.search(r'<script src="/static/reader/live\.js\?v=\w+" defer>', page)
    assert 'aria-live="polite"' in page


def test_drafts_and_deleted_posts_are_never_shown(client, anatomy):
    for url in (f"/live/{anatomy.slug}/", f"/live/{anatomy.slug}.json", f"/live/{anatomy.slug}/feed.atom",
                f"/live/{anatomy.slug}/feed.rss", f"/live/{anatomy.slug}/feed.json", f"/live/{anatomy.slug}/embed/"):
        body = client.get(url).content.decode()
        assert "Secret draft" not in body and "Removed post" not in body, url
    hidden = Post.objects.filter(blog=anatomy).exclude(status="published")
    assert hidden.count() == 2
    for post in hidden:
        assert client.get(f"/live/{anatomy.slug}/posts/{post.pk}/").status_code == 404


def test_unknown_blog_and_post_are_404(client, anatomy):
    assert client.get("/live/no-such-blog/").status_code == 404
    assert client.get("/live/no-such-blog.json").status_code == 404
    assert client.get("/live/no-such-blog/feed.atom").status_code == 404
    assert client.get("/live/no-such-blog/feed.json").status_code == 404
    assert client.get("/live/no-such-blog/embed/").status_code == 404
    assert client.get(f"/live/{anatomy.slug}/posts/999999/").status_code == 404
    other = actions.create_blog(actions_user(anatomy), title="Other blog")
    post = Post.objects.filter(blog=anatomy, status="published").first()
    assert client.get(f"/live/{other.slug}/posts/{post.pk}/").status_code == 404, "a post belongs to its blog"
    assert client.get(f"/live/{anatomy.slug}/?before=not-a-cursor").status_code == 404


def actions_user(blog):
    return blog.created_by


def test_no_script_survives_into_the_page(client, blog, reporter, editor):
    """Whatever a writer sends, the page carries sanitised markup only: no script, handler or javascript: URL."""
    import lxml.html

    actions.create_post(reporter, blog, headline="<script>alert(1)</script>Headline",
                        body='<p onclick="x()">Hi<script>alert(2)</script><a href="javascript:alert(3)">l</a>'
                             '<img src=x onerror=alert(4)></p>')
    actions.set_key_points(editor, blog, [{"text": '<a href="javascript:alert(5)">k</a><script>alert(6)</script>'}])
    for url in (f"/live/{blog.slug}/", f"/live/{blog.slug}/embed/"):
        tree = lxml.html.fromstring(client.get(url).content)
        scripts = tree.xpath("//script")
        assert all(s.get("type") == "application/ld+json" or s.get("src", "").startswith("/static/reader/")
                   for s in scripts), url
        assert not tree.xpath("//@*[starts-with(name(), 'on')]"), url
        assert not [h for h in tree.xpath("//@href | //@src") if h.strip().lower().startswith("javascript:")]
        assert "alert(" not in "".join(tree.xpath("//body//script/text()"))
    assert "Headline" in client.get(f"/live/{blog.slug}/").content.decode()


def test_json_ld_cannot_close_its_script_element(client, blog, reporter):
    actions.create_post(reporter, blog, headline="</script><b>x</b>", body="<p>&lt;/script&gt;</p>")
    page = client.get(f"/live/{blog.slug}/").content.decode()
    block = page.split('<script type="application/ld+json">', 1)[1].split("</script>", 1)[0]
    assert "<" not in block


def test_index_lists_live_and_recent_blogs(client, editor, anatomy):
    ended = actions.create_blog(editor, title="Yesterday's storm")
    actions.end_blog(editor, ended)
    actions.create_blog(editor, title="Tomorrow's vote", status="scheduled")
    page = html_of(client.get("/"))
    assert "Live now" in page and "Wrenford floods" in page and "Yesterday&#x27;s storm" in page
    assert "Tomorrow" not in page, "scheduled coverage is not listed before it starts"
    assert page.index("Wrenford floods") < page.index("Yesterday&#x27;s storm")
    assert "3 posts" in page


def test_ended_blog_says_so(client, editor, anatomy):
    actions.end_blog(editor, anatomy)
    page = html_of(client.get(f"/live/{anatomy.slug}/"))
    assert "Coverage ended" in page and "What we covered here" in page
    assert 'class="live-badge"' not in page


def test_story_links_previous_and_next_day(client, editor):
    story = Story.objects.create(slug="vale-floods", title="Vale floods")
    days = [actions.create_blog(editor, title=f"Vale floods day {i}", coverage_start=DAY.replace(day=22 + i),
                                story="vale-floods") for i in range(3)]
    assert all(LiveBlog.objects.get(pk=d.pk).story_id == story.pk for d in days)
    middle = html_of(client.get(f"/live/{days[1].slug}/"))
    assert f'href="/live/{days[0].slug}/" rel="prev"' in middle
    assert f'href="/live/{days[2].slug}/" rel="next"' in middle
    first = html_of(client.get(f"/live/{days[0].slug}/"))
    assert 'rel="prev"' not in first and f'href="/live/{days[1].slug}/" rel="next"' in first
    alone = actions.create_blog(editor, title="Alone")
    assert 'class="story-nav"' not in html_of(client.get(f"/live/{alone.slug}/"))


def test_share_page_has_canonical_open_graph_and_twitter_tags(client, anatomy):
    post = Post.objects.get(blog=anatomy, headline="River breaks its banks")
    page = html_of(client.get(f"/live/{anatomy.slug}/posts/{post.pk}/"))
    url = f"http://testserver/live/{anatomy.slug}/posts/{post.pk}/"
    assert f'<link rel="canonical" href="{url}">' in page
    assert f'<meta property="og:url" content="{url}">' in page
    assert '<meta property="og:title" content="River breaks its banks">' in page
    assert '<meta property="og:type" content="article">' in page
    assert '<meta property="og:image" content="https://example.org/flood.jpg">' in page
    assert '<meta name="twitter:card" content="summary_large_image">' in page
    assert 'property="og:description" content="Water poured into Mill Street. Keep reading here"' in page
    assert "<title>River breaks its banks | The Dateline Courier</title>" in page
    assert f'href="/live/{anatomy.slug}/#post-{post.pk}"' in page
    assert 'class="copy-link"' in page and "hidden>Copy link" in page, "the button appears only with JavaScript"
    assert 'type="application/json+oembed"' in page


@override_settings(DATELINE_PUBLIC_URL="https://news.example.com")
def test_public_url_setting_makes_absolute_urls(client, anatomy):
    page = html_of(client.get(f"/live/{anatomy.slug}/"))
    assert f'<link rel="canonical" href="https://news.example.com/live/{anatomy.slug}/">' in page


def test_post_anchor_ids_match_permalinks(client, anatomy):
    page = html_of(client.get(f"/live/{anatomy.slug}/"))
    for post in Post.objects.filter(blog=anatomy, status="published"):
        assert f'id="post-{post.pk}"' in page
        assert f'href="/live/{anatomy.slug}/posts/{post.pk}/"' in page


def test_embed_page_is_framable_and_compact(client, anatomy):
    response = client.get(f"/live/{anatomy.slug}/embed/")
    assert "X-Frame-Options" not in response.headers
    page = html_of(response)
    assert 'data-embed="true"' in page and 'role="feed"' in page and "River breaks its banks" in page
    assert client.get(f"/live/{anatomy.slug}/").headers.get("X-Frame-Options") == "DENY"
    post = Post.objects.get(blog=anatomy, headline="River breaks its banks")
    single = html_of(client.get(f"/live/{anatomy.slug}/embed/?post={post.pk}"))
    assert "River breaks its banks" in single and "Dam spillway" not in single and 'data-live' not in single
    assert client.get(f"/live/{anatomy.slug}/embed/?post=abc").status_code == 404


def test_reader_page_offers_the_embed_snippet(client, anatomy):
    page = html_of(client.get(f"/live/{anatomy.slug}/"))
    assert f"&lt;iframe src=&quot;http://testserver/live/{anatomy.slug}/embed/&quot;" in page
    assert "data-dateline-embed" in page and "embed.js" in page


def test_static_assets_are_served_and_cacheable(client):
    response = client.get("/static/reader/live.js?v=1")
    assert response.status_code == 200
    assert "immutable" in response.headers["Cache-Control"]
    assert b"EventSource" in b"".join(response.streaming_content)
    assert client.get("/static/reader/../views.py").status_code == 404


@pytest.mark.parametrize("name", ["live.js", "embed.js"])
def test_scripts_are_small(name):
    from dateline.reader.views import STATIC_DIR

    assert (STATIC_DIR / "reader" / name).stat().st_size < 15_000


def test_initial_page_weight_under_60kb_compressed(client, anatomy):
    """HTML + CSS + JS of the first view, gzipped, stays under 60 KB (images aside)."""
    import gzip

    from dateline.reader.views import STATIC_DIR

    page = client.get(f"/live/{anatomy.slug}/").content
    total = len(gzip.compress(page))
    for name in ("dateline.css", "live.js"):
        total += len(gzip.compress((STATIC_DIR / "reader" / name).read_bytes()))
    assert total < 60_000, total


def test_healthz_still_answers(client, db):
    assert client.get("/healthz").json()["status"] == "ok"


def test_pages_are_briefly_cacheable_by_shared_caches_only(client, anatomy):
    """A CDN may keep a page a few seconds (the script resumes from its seq); browsers always revalidate."""
    post = Post.objects.filter(blog=anatomy, status="published").first()
    for url in (f"/live/{anatomy.slug}/", f"/live/{anatomy.slug}.json", f"/live/{anatomy.slug}/embed/",
                f"/live/{anatomy.slug}/posts/{post.pk}/"):
        response = client.get(url)
        assert response["Cache-Control"] == "public, max-age=0, s-maxage=5, stale-while-revalidate=25", url
        assert "Cookie" not in response.get("Vary", ""), url
        assert not response.cookies, url


def test_head_requests_are_answered_like_get(client, blog):
    """CDNs and uptime monitors send HEAD: same status and headers as GET, no body."""
    response = client.head(f"/live/{blog.slug}/")
    assert response.status_code == 200
    assert response.content == b""
    assert client.head(f"/live/{blog.slug}/feed.atom").status_code == 200
